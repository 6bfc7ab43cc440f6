package dev.sinkfix.surgery.match;

/** How the graph was written (EXPORTERS.md); told from the operators and the naming, reported with the evidence. */
public enum ExporterStyle {
    TORCH_SCRIPT("torch.onnx / optimum (TorchScript exporter)"),
    TORCH_DYNAMO("torch.onnx dynamo exporter (aten-style names)"),
    GENAI("onnxruntime-genai model builder");

    private final String description;

    ExporterStyle(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
