package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * Hugging Face's eager {@code LlamaAttention} spelled out in standard operators: projections,
 * split into heads, rotary by {@code rotate_half}, KV-cache concat (whose results are the
 * {@code present.*} outputs), repeat of KV heads for grouped-query attention, scaled scores, the
 * additive mask, Softmax (in fp32 for fp16 models, as eager attention does) and the weighted sum.
 * The Softmax output is the attention-probability tensor that surgery can inspect.
 */
final class SpelledOutAttention {
    private final GraphBuilder b;
    private final SampleSpec spec;
    private final SpelledOutWeights weights;
    private final HfWeights hf;

    SpelledOutAttention(GraphBuilder b, SampleSpec spec, SpelledOutWeights weights, HfWeights hf) {
        this.b = b;
        this.spec = spec;
        this.weights = weights;
        this.hf = hf;
    }

    /** The block's output and the present key and value it writes. */
    record Result(Value output, Value presentKey, Value presentValue) {
    }

    /**
     * @param cos    gathered cos rows {@code [batch, seq, headDim]}
     * @param sin    gathered sin rows {@code [batch, seq, headDim]}
     * @param mask   additive fp32 mask {@code [batch, 1, seq, total]}
     */
    Result apply(int layer, Value x, Value cos, Value sin, Value mask, Value pastKey, Value pastValue) {
        String scope = "/model/layers." + layer + "/self_attn";
        Value q = weights.linear(b, scope + "/q_proj", hf.linear(layer, HfWeights.Proj.Q), x, null);
        Value k = weights.linear(b, scope + "/k_proj", hf.linear(layer, HfWeights.Proj.K), x, null);
        Value v = weights.linear(b, scope + "/v_proj", hf.linear(layer, HfWeights.Proj.V), x, null);
        b.scope(scope);
        q = splitHeads(q, spec.heads());
        k = splitHeads(k, spec.kvHeads());
        v = splitHeads(v, spec.kvHeads());
        Value cos4 = b.unsqueeze(cos, 1);
        Value sin4 = b.unsqueeze(sin, 1);
        q = rotate(q, cos4, sin4);
        k = rotate(k, cos4, sin4);
        Value presentKey = b.opNamed("present." + layer + ".key", "Concat", List.of(pastKey, k),
                Attribute.ofInt("axis", 2));
        Value presentValue = b.opNamed("present." + layer + ".value", "Concat", List.of(pastValue, v),
                Attribute.ofInt("axis", 2));
        Value keys = repeatKvHeads(presentKey);
        Value values = repeatKvHeads(presentValue);

        Value scores = b.matmul(q, b.transpose(keys, 0, 1, 3, 2));
        float root = (float) Math.sqrt(spec.headDim());
        DataType dt = spec.dtype().dataType();
        scores = spec.style() == ExportStyle.DYNAMO
                ? b.mul(scores, b.scalar(1f / root, dt)) : b.div(scores, b.scalar(root, dt));
        boolean fp16 = spec.dtype() == Precision.FP16;
        if (fp16) {
            scores = b.cast(scores, DataType.FLOAT);
        }
        Value probs = b.softmax(b.add(scores, mask), -1);
        if (fp16) {
            probs = b.cast(probs, DataType.FLOAT16);
        }
        Value context = b.matmul(probs, values);
        context = b.reshape(b.transpose(context, 0, 2, 1, 3), 0, 0, spec.hidden());
        Value out = weights.linear(b, scope + "/o_proj", hf.linear(layer, HfWeights.Proj.O), context, null);
        return new Result(out, presentKey, presentValue);
    }

    /** {@code [b, s, n*hd]} to {@code [b, n, s, hd]}. */
    private Value splitHeads(Value x, int heads) {
        return b.transpose(b.reshape(x, 0, 0, heads, spec.headDim()), 0, 2, 1, 3);
    }

    /** {@code x * cos + rotate_half(x) * sin}, where {@code rotate_half(x) = cat(-x2, x1)}. */
    private Value rotate(Value x, Value cos, Value sin) {
        long half = spec.headDim() / 2;
        Value x1 = b.slice(x, 0, half, 3);
        Value x2 = b.slice(x, half, Long.MAX_VALUE, 3);
        Value rotated = b.concat(-1, b.neg(x2), x1);
        return b.add(b.mul(x, cos), b.mul(rotated, sin));
    }

    /** Hugging Face's {@code repeat_kv}: {@code [b, kv, t, hd]} to {@code [b, heads, t, hd]}; nothing without GQA. */
    private Value repeatKvHeads(Value x) {
        if (spec.kvGroups() == 1) {
            return x;
        }
        Value expanded = b.expand(b.unsqueeze(x, 2), b.constant(1, 1, spec.kvGroups(), 1, 1));
        return b.reshape(expanded, 0, spec.heads(), -1, spec.headDim());
    }
}
