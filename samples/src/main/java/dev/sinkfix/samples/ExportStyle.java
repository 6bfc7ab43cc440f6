package dev.sinkfix.samples;

/**
 * How the graph is written. The same weights give the same function in every style; what
 * changes is what surgery has to recognise: names, fused contrib operators, layouts, node order.
 */
public enum ExportStyle {
    /** Hugging Face optimum / TorchScript {@code torch.onnx.export}: standard ops, module-path names. */
    TORCH,
    /** onnxruntime-genai model builder: contrib norms and attention, external data, unsorted nodes. */
    GENAI,
    /** {@code torch.onnx.export(dynamo=True)}: aten-op value names, no {@code layers.N} in names, Gemm MLP. */
    DYNAMO
}
