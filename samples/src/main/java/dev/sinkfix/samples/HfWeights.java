package dev.sinkfix.samples;

import java.util.SplittableRandom;

/**
 * The weights of a sample, in Hugging Face layout ({@code [out, in]} for linears) and under
 * Hugging Face names. Each tensor draws from its own generator seeded by the spec's seed and the
 * tensor's name, so a tensor's values do not depend on the order styles ask for them, and a
 * skeleton or a benchmark can skip tensors without shifting the others.
 *
 * <p>Scales keep activations near unit size through every layer: linears draw with standard
 * deviation {@code 1/sqrt(in)}, norms near 1, embeddings near 1. Attention scores then spread
 * over several units, so attention is far from uniform and a wrong mask or cache shows up in
 * the logits instead of averaging away.
 *
 * <p>A {@link WeightRecipe#SINK} spec gets the same random tensors with {@link SinkSample}'s
 * constructed blocks written over them.
 */
final class HfWeights {
    private final SampleSpec spec;
    private final boolean sink;

    HfWeights(SampleSpec spec) {
        this.spec = spec;
        this.sink = spec.recipe() == WeightRecipe.SINK;
        if (sink) {
            SinkSample.check(spec);
        }
    }

    /** A linear layer's weight: {@code data} is row-major {@code [outFeatures, inFeatures]}. */
    record Linear(String hfName, int outFeatures, int inFeatures, float[] data) {
        /** The same weight as row-major {@code [inFeatures, outFeatures]}: what {@code MatMul(x, W)} needs. */
        float[] transposed() {
            float[] t = new float[data.length];
            for (int o = 0; o < outFeatures; o++) {
                int row = o * inFeatures;
                for (int i = 0; i < inFeatures; i++) {
                    t[i * outFeatures + o] = data[row + i];
                }
            }
            return t;
        }
    }

    /** Which projection of a layer. */
    enum Proj {
        Q("self_attn.q_proj"), K("self_attn.k_proj"), V("self_attn.v_proj"), O("self_attn.o_proj"),
        GATE("mlp.gate_proj"), UP("mlp.up_proj"), DOWN("mlp.down_proj");

        final String module;

        Proj(String module) {
            this.module = module;
        }
    }

    Linear linear(int layer, Proj proj) {
        String name = "model.layers." + layer + "." + proj.module + ".weight";
        int[] shape = shape(proj);
        int out = shape[0];
        int in = shape[1];
        float[] data = uniform(name, out * in, 0.0, 1.0 / Math.sqrt(in));
        return new Linear(name, out, in, sink ? SinkSample.linear(layer, proj, out, in, data) : data);
    }

    /** {@code [outFeatures, inFeatures]} of a projection, without drawing its values. */
    int[] shape(Proj proj) {
        int hd = spec.headDim();
        return switch (proj) {
            case Q -> new int[] {spec.heads() * hd, spec.hidden()};
            case K, V -> new int[] {spec.kvHeads() * hd, spec.hidden()};
            case O -> new int[] {spec.hidden(), spec.heads() * hd};
            case GATE, UP -> new int[] {spec.intermediate(), spec.hidden()};
            case DOWN -> new int[] {spec.hidden(), spec.intermediate()};
        };
    }

    Linear lmHead() {
        String name = "lm_head.weight";
        return new Linear(name, spec.vocab(), spec.hidden(),
                uniform(name, spec.vocab() * spec.hidden(), 0.0, 1.0 / Math.sqrt(spec.hidden())));
    }

    /** {@code [vocab, hidden]}. */
    float[] embedTokens() {
        float[] e = uniform("model.embed_tokens.weight", spec.vocab() * spec.hidden(), 0.0, 1.0);
        return sink ? SinkSample.embedTokens(spec, e) : e;
    }

    float[] inputNorm(int layer) {
        float[] g = norm("model.layers." + layer + ".input_layernorm.weight");
        return sink ? SinkSample.norm(layer, g) : g;
    }

    float[] postAttentionNorm(int layer) {
        float[] g = norm("model.layers." + layer + ".post_attention_layernorm.weight");
        return sink ? SinkSample.norm(layer, g) : g;
    }

    float[] finalNorm() {
        return norm("model.norm.weight");
    }

    private float[] norm(String name) {
        return uniform(name, spec.hidden(), 1.0, 0.1);
    }

    /** Uniform values with this mean and standard deviation, from a generator of this tensor's own. */
    private float[] uniform(String name, int count, double mean, double std) {
        SplittableRandom random = new SplittableRandom(spec.seed() * 0x9E37_79B9_7F4A_7C15L + name.hashCode());
        double halfWidth = std * Math.sqrt(3.0);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (mean + halfWidth * (2.0 * random.nextDouble() - 1.0));
        }
        return values;
    }
}
