package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * Where the two PyTorch exporters put the weights. TorchScript pre-transposes each linear to
 * {@code [in, out]} under an anonymous name ({@code onnx::MatMul_1234}) and keeps parameter names
 * only for what it does not transpose; dynamo keeps every parameter in Hugging Face layout under
 * its flattened path ({@code p_model_layers_0_mlp_up_proj_weight}, buffers {@code b_...}) and
 * transposes in the graph. The anonymous names are why surgery may trust structure only.
 */
final class SpelledOutWeights {
    private final SampleSpec spec;
    private final DataType dtype;
    private int anonymousCounter = 1234;

    SpelledOutWeights(SampleSpec spec) {
        this.spec = spec;
        this.dtype = spec.dtype().dataType();
    }

    private boolean dynamo() {
        return spec.style() == ExportStyle.DYNAMO;
    }

    /** {@code model.embed_tokens.weight}, {@code model.norm.weight}: named parameters. */
    Value parameter(GraphBuilder b, String hfName, long[] dims, float[] data) {
        String name = dynamo() ? "p_" + hfName.replace('.', '_') : hfName;
        return b.initializer(name, dtype, dims, data);
    }

    /** A rotary cos or sin table, full head width: a buffer, not a parameter. */
    Value rotaryTable(GraphBuilder b, boolean cos) {
        String hfName = "model.rotary_emb." + (cos ? "cos" : "sin") + "_cached";
        String name = dynamo() ? "b_" + hfName.replace('.', '_') : hfName;
        float[] table = cos ? RotaryTables.cos(spec, true) : RotaryTables.sin(spec, true);
        return b.initializer(name, dtype, new long[] {spec.maxPositions(), spec.headDim()}, table);
    }

    /**
     * {@code x W^T} of a projection on activations of any rank, under the module path {@code scope};
     * the output is named {@code outputName} when that is not null.
     */
    Value linear(GraphBuilder b, String scope, HfWeights.Linear w, Value x, String outputName) {
        Value weight;
        if (dynamo()) {
            Value hfLayout = gemmWeight(b, w);
            b.scope(scope);
            weight = b.transpose(hfLayout, 1, 0);
        } else {
            weight = b.initializer("onnx::MatMul_" + anonymousCounter++, dtype,
                    new long[] {w.inFeatures(), w.outFeatures()}, w.transposed());
            b.scope(scope);
        }
        List<Value> inputs = List.of(x, weight);
        return outputName == null ? b.op("MatMul", inputs) : b.opNamed(outputName, "MatMul", inputs);
    }

    /** {@code Gemm(x, W, transB=1)} on a 2-D input: how dynamo writes a linear of a flattened activation. */
    Value gemm(GraphBuilder b, String scope, HfWeights.Linear w, Value x2d) {
        Value weight = gemmWeight(b, w);
        b.scope(scope);
        return b.op("Gemm", List.of(x2d, weight), Attribute.ofInt("transB", 1));
    }

    private Value gemmWeight(GraphBuilder b, HfWeights.Linear w) {
        return parameter(b, w.hfName(), new long[] {w.outFeatures(), w.inFeatures()}, w.data());
    }
}
