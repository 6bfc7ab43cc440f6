package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Llama/Mistral decoder as the PyTorch exporters write it: every operation spelled out in
 * standard operators, residuals as explicit {@code Add}s, nodes in topological order. TORCH
 * (TorchScript, opset 17) and DYNAMO (opset 18) share the math and differ in names, weight
 * layout and in dynamo's flattened {@code Gemm} MLP.
 */
final class SpelledOutDecoder {
    static final int TORCH_OPSET = 17;
    static final int DYNAMO_OPSET = 18;

    private final SampleSpec spec;
    private final GraphBuilder b;
    private final HfWeights hf;
    private final SpelledOutWeights weights;

    private SpelledOutDecoder(SampleSpec spec) {
        this.spec = spec;
        boolean dynamo = spec.style() == ExportStyle.DYNAMO;
        this.b = GraphBuilder.create(dynamo ? NamingScheme.dynamo() : NamingScheme.torchScript(),
                dynamo ? DYNAMO_OPSET : TORCH_OPSET);
        this.hf = new HfWeights(spec);
        this.weights = new SpelledOutWeights(spec);
    }

    static Model build(SampleSpec spec) {
        if (spec.style() == ExportStyle.GENAI) {
            throw new IllegalArgumentException("the genai style is written by GenaiDecoder");
        }
        return new SpelledOutDecoder(spec).build();
    }

    private Model build() {
        DecoderIo io = DecoderIo.declare(b, spec);
        Value embedding = weights.parameter(b, "model.embed_tokens.weight",
                new long[] {spec.vocab(), spec.hidden()}, hf.embedTokens());
        b.scope("/model/embed_tokens");
        Value x = b.gather(embedding, io.inputIds());
        Value mask = SpelledOutMask.build(b, io);
        Value cosTable = weights.rotaryTable(b, true);
        Value sinTable = weights.rotaryTable(b, false);
        b.scope("/model/rotary_emb");
        Value cos = b.gather(cosTable, io.positionIds());
        Value sin = b.gather(sinTable, io.positionIds());

        SpelledOutAttention attention = new SpelledOutAttention(b, spec, weights, hf);
        List<Value> presentKeys = new ArrayList<>();
        List<Value> presentValues = new ArrayList<>();
        long[] hiddenDims = {spec.hidden()};
        for (int layer = 0; layer < spec.layers(); layer++) {
            String path = "/model/layers." + layer;
            Value inputNorm = weights.parameter(b, "model.layers." + layer + ".input_layernorm.weight", hiddenDims,
                    hf.inputNorm(layer));
            Value h = SpelledOutRmsNorm.apply(b, spec, path + "/input_layernorm", x, inputNorm);
            SpelledOutAttention.Result a = attention.apply(layer, h, cos, sin, mask, io.pastKeys().get(layer),
                    io.pastValues().get(layer));
            presentKeys.add(a.presentKey());
            presentValues.add(a.presentValue());
            b.scope(path);
            x = b.add(x, a.output());
            Value postNorm = weights.parameter(b, "model.layers." + layer + ".post_attention_layernorm.weight",
                    hiddenDims, hf.postAttentionNorm(layer));
            h = SpelledOutRmsNorm.apply(b, spec, path + "/post_attention_layernorm", x, postNorm);
            Value m = mlp(layer, h);
            b.scope(path);
            x = b.add(x, m);
        }
        Value finalNorm = weights.parameter(b, "model.norm.weight", hiddenDims, hf.finalNorm());
        x = SpelledOutRmsNorm.apply(b, spec, "/model/norm", x, finalNorm);
        Value logits = weights.linear(b, "/lm_head", hf.lmHead(), x, "logits");
        io.declareOutputs(b, spec, logits, presentKeys, presentValues);
        return b.model(8, Map.of("onnx_sinkfix_sample", spec.describe()));
    }

    /** {@code down(silu(gate(x)) * up(x))}, SiLU as Sigmoid and Mul; dynamo flattens to 2-D around Gemms. */
    private Value mlp(int layer, Value x) {
        String path = "/model/layers." + layer + "/mlp";
        HfWeights.Linear gateW = hf.linear(layer, HfWeights.Proj.GATE);
        HfWeights.Linear upW = hf.linear(layer, HfWeights.Proj.UP);
        HfWeights.Linear downW = hf.linear(layer, HfWeights.Proj.DOWN);
        if (spec.style() == ExportStyle.DYNAMO) {
            b.scope(path);
            Value shape = b.shape(x);
            Value flat = b.reshape(x, -1, spec.hidden());
            Value gate = weights.gemm(b, path + "/gate_proj", gateW, flat);
            Value up = weights.gemm(b, path + "/up_proj", upW, flat);
            Value act = silu(path, gate);
            b.scope(path);
            Value down = weights.gemm(b, path + "/down_proj", downW, b.mul(act, up));
            b.scope(path);
            return b.reshape(down, shape);
        }
        Value gate = weights.linear(b, path + "/gate_proj", gateW, x, null);
        Value up = weights.linear(b, path + "/up_proj", upW, x, null);
        Value act = silu(path, gate);
        b.scope(path);
        return weights.linear(b, path + "/down_proj", downW, b.mul(act, up), null);
    }

    private Value silu(String mlpPath, Value gate) {
        b.scope(mlpPath + "/act_fn");
        return b.mul(gate, b.sigmoid(gate));
    }
}
