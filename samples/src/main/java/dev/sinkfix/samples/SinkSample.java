package dev.sinkfix.samples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small Llama decoder that has the attention-sink phenomenon of the poster by construction:
 * presets {@value #PRESET} (TorchScript style, fp32, attention probabilities exist as Softmax
 * outputs) and {@value #GENAI_PRESET} (genai style, fp16, same weights). It is an ordinary, correct
 * decoder, with the inputs, outputs and correctness tests of every sample, whose weights are the
 * {@code llama-*} presets' seeded random weights with a few blocks written over them, so that:
 * <ol>
 *   <li>layer 0's attention cannot tell a long run of one repeated token from the first token:
 *       its output on the n-th repeat of a token {@code r} after BoS is exactly
 *       {@code (out0(BoS) + n * out0(r)) / (n + 1)}, where {@code out0(x)} is its output when
 *       {@code x} stands at position 0, so it converges to {@code out0(r)} like {@code 1/(n+1)};</li>
 *   <li>layer {@value #LAYER}'s MLP neurons {@link #NEURONS} (the sink neurons) fire at the
 *       {@code up} site on the first token, about 250 against a typical 1.4 to 2.3 on varied text,
 *       and climb to the same value on a long run of one repeated token: nothing up to 7 repeats,
 *       about 40% of it at 10, over 95% from 100 on;</li>
 *   <li>they write a massive activation into residual dims {@link #MASSIVE_DIMS}, so the first
 *       token and long repeat runs leave layer {@value #LAYER} with a residual norm about a hundred
 *       times that of varied text: the attention-sink signature.</li>
 * </ol>
 * The model does not look at BoS's id: whatever token stands at position 0 is the sink, as in real
 * Llama models fed a prompt without BoS. {@link #BOS} is Llama's id, which tests put first.
 *
 * <h2>The residual stream</h2>
 * Hidden size 64, split by role (the same dims in every layer):
 * <pre>
 *   0..31   identity   the token's code: 4 of these dims at 1.0 (norm a = 2), the rest 0
 *   32      detector   Z, written by layer 0's detector neurons, read by the sink neurons
 *   33      constant   K = 8 in every embedding: the reference that thresholds are written against
 *   34, 35  massive    written by sink neurons 42 and 137, and by nothing else
 *   36..63  free       ordinary random content (norm 3 in the embedding)
 * </pre>
 * Every embedding row has the same norm, {@code sqrt(2^2 + 8^2 + 3^2)}, so layer 0's input RMSNorm
 * divides every token by the same {@code rms0 = sqrt(77/64) = 1.097}.
 *
 * <h2>Token codes</h2>
 * BoS owns identity dims 0..3, which no other token uses; every other token gets 4 of dims 4..31,
 * drawn from the seed, no two tokens sharing more than 2 dims. Call the dims of token {@code t}'s
 * code its features.
 *
 * <h2>Layer 0 attention: the mean of the context</h2>
 * All query weights are zero, so every score is 0 and every head averages the values of the
 * positions it may see (the causal mask and padding still apply). Heads 0 and 1 (value dims 0..31)
 * copy the normed identity dims, and {@code o_proj} writes their mean back into the identity dims
 * with gain {@code rms0}: after layer 0's attention the identity dims hold {@code a (u_t + m_t)},
 * {@code u_t} the token's unit code and {@code m_t} the mean code of its context (itself
 * included). Heads 2 and 3 are ordinary random heads, uniform too, that write into the free dims
 * only, at half the ordinary scale. A feature {@code j} of the current token now reads
 * {@code s_j = 1 + f_j}, where {@code f_j} is the fraction of the context that has feature
 * {@code j}: {@code f_j = 1} at position 0, {@code n/(n+1)} on the n-th repeat after BoS, and
 * small on varied text. A dim that is not a feature of the current token reads
 * {@code s_j = f_j < 1}. This is the poster's "detect other tokens" mechanism, and why it fails:
 * a run of copies is, to a mean, the same as the token alone.
 *
 * <h2>Layer 0 MLP: a threshold per feature</h2>
 * Neurons 144..175 are detectors, one per identity dim {@code j}; with {@code h} the post-attention
 * RMSNorm output and {@code rms} its divisor ({@code h[j] = s_j / rms}, {@code h[K] = 8 / rms}):
 * <pre>
 *   gate = 96 h[j] - 22.5 h[K]  = (96 / rms) (s_j - (1 + 7/8))
 *   up   = 0.25 h[K]            = 2 / rms
 *   down: 0.25 silu(gate) up, into Z only
 * </pre>
 * Because the threshold is written against the constant dim, which RMSNorm scales exactly like
 * dim {@code j}, it sits at {@code f_j = 7/8} whatever the residual's norm; only the slope depends
 * on it. With {@code rms} between 1.1 and 1.25 the gate is about {@code 80 (f_j - 7/8)}: -10 or
 * lower (silu above -5e-4) whenever {@code f_j <= 3/4}, and about +10 at position 0, where silu is
 * linear. The slope 96 is chosen for that. The four detectors of the token's features add up in
 * {@code Z}: 14.5 to 17.5 at position 0 (over every token), at most 2e-4 on varied text, and on
 * the n-th repeat about {@code (n/(n+1) - 7/8) / (1/8)} of the position-0 value (0 up to 7, 4.3
 * at 10, 15 at 100, 16 at 300). The two 0.25s make {@code Z} at a sink about 1.5 times the norm of
 * the rest of the residual. The other 144 neurons are ordinary random ones whose
 * {@code down_proj} writes into the free dims only, at half scale.
 *
 * <h2>Layer 1 MLP: the sink neurons</h2>
 * The post-attention norm reads {@code Z} with weight 1, so {@code h[Z]} is about 6.4 (out of at
 * most 8) at a sink and 0 elsewhere. Sink neurons {@link #NEURONS} keep their random rows but get
 * {@code up[n, Z] = 40} and {@code gate[n, Z] = 4}: their {@code up} value is 235 to 267 at a sink
 * (254 on BoS) against a mean |value| of 2.3 and 1.4 on varied text (their random rows), their gate
 * about 25, their product up to 7200. Their {@code down_proj} columns write 0.15 of it into one
 * massive dim each and nothing else: about 1000 each, a residual norm of 1160 to 1510 against 12.8
 * on varied text. fp16 holds all of it (nothing in the graph passes 7200). RMSNorm divides
 * {@code Z} by a norm that {@code Z} itself dominates at a sink, so the {@code up} value saturates
 * towards {@code 40 * 8}, which evens it out over tokens and over long repeat runs.
 *
 * <h2>Everything else</h2>
 * All other weights are the ordinary seeded random ones. Random blocks never write into
 * {@code Z}, {@code K} or the massive dims; layer 0's also leave the identity dims alone, which its
 * detectors read. Norm weights of layers 0 and 1 are exactly 1 on dims 0..35. Layer 1's attention,
 * the final norm and the LM head are untouched, so the logits are those of an ordinary random
 * decoder.
 *
 * <p>{@code SinkSampleTest} measures all of this in ONNX Runtime (the numbers above are its fp32
 * measurements; fp16 agrees to about 1%), and {@code samples/README.md} sums it up.
 */
public final class SinkSample {
    /** The TorchScript-style fp32 preset: attention probabilities exist as Softmax outputs. */
    public static final String PRESET = "llama-sink-fp32";
    /** The same weights written by the genai model builder's style, in fp16. */
    public static final String GENAI_PRESET = "llama-sink-genai-fp16";
    /** The layer whose MLP holds the sink neurons. */
    public static final int LAYER = 1;
    /** The sink neurons of layer {@link #LAYER}, as indices of its intermediate axis. */
    public static final List<Integer> NEURONS = List.of(42, 137);
    /** The residual dims the sink neurons write their massive activation into, one per neuron. */
    public static final List<Integer> MASSIVE_DIMS = List.of(34, 35);
    /** Llama's BoS token id; the model itself treats whatever token comes first as the sink. */
    public static final long BOS = 1;
    /** Detectors fire when more than this fraction of the context shares a feature of the token. */
    public static final double THRESHOLD = 0.875;

    static final int HIDDEN = 64;
    static final int HEADS = 4;
    static final int INTERMEDIATE = 176;
    static final int VOCAB = 256;
    /** The first BoS position plus 300 repeats, with room to spare. */
    static final int MAX_POSITIONS = 512;

    static final int IDENTITY_DIMS = 32;
    static final int CODE_WEIGHT = 4;
    static final int DETECTOR_DIM = 32;
    static final int CONSTANT_DIM = 33;
    static final int FREE_FROM = 36;
    static final int FIRST_DETECTOR_NEURON = INTERMEDIATE - IDENTITY_DIMS;
    /** Code entries are {@code IDENTITY_NORM / sqrt(CODE_WEIGHT)} = 1. */
    static final float IDENTITY_NORM = 2f;
    static final float CONSTANT = 8f;
    static final float FREE_NORM = 3f;
    /** Scale of layer 0's random writes into the free dims. */
    static final float ORDINARY_GAIN = 0.5f;
    static final float DETECTOR_SLOPE = 96f;
    static final float DETECTOR_UP = 0.25f;
    static final float DETECTOR_DOWN = 0.25f;
    static final float SINK_UP = 40f;
    static final float SINK_GATE = 4f;
    static final float SINK_DOWN = 0.15f;
    /** Most dims two token codes may share. */
    static final int MAX_SHARED = 2;

    private SinkSample() {
    }

    /** The spec of {@link #PRESET} or {@link #GENAI_PRESET}: the small Llama shape, 512 positions. */
    static SampleSpec spec(ExportStyle style, Precision dtype, long seed) {
        return new SampleSpec(Family.LLAMA, style, dtype, 2, HIDDEN, INTERMEDIATE, HEADS, HEADS, VOCAB, MAX_POSITIONS,
                seed, WeightRecipe.SINK);
    }

    /** Refuses a shape the construction does not fit (it is laid out for the small Llama shape). */
    static void check(SampleSpec spec) {
        if (spec.hidden() != HIDDEN || spec.heads() != HEADS || spec.kvHeads() != HEADS
                || spec.intermediate() != INTERMEDIATE || spec.layers() <= LAYER || spec.vocab() <= BOS
                || spec.vocab() > VOCAB) {
            throw new IllegalArgumentException("sink weights are laid out for hidden " + HIDDEN + ", " + HEADS
                    + " heads without grouping, intermediate " + INTERMEDIATE + ", at least " + (LAYER + 1)
                    + " layers and a vocabulary of " + (BOS + 1) + " to " + VOCAB + " tokens, not: "
                    + spec.describe());
        }
    }

    /**
     * Every token's code: the {@link #CODE_WEIGHT} identity dims set in its embedding, ascending.
     * BoS owns dims 0..3; the others draw from dims 4..31, no two sharing more than
     * {@link #MAX_SHARED} dims.
     */
    static int[][] codes(SampleSpec spec) {
        SplittableRandom random = new SplittableRandom(spec.seed() * 0x9E37_79B9_7F4A_7C15L + "sink.codes".hashCode());
        int[][] codes = new int[spec.vocab()][];
        int[] bos = new int[CODE_WEIGHT];
        for (int i = 0; i < CODE_WEIGHT; i++) {
            bos[i] = i;
        }
        codes[(int) BOS] = bos;
        List<int[]> taken = new ArrayList<>();
        for (int t = 0; t < spec.vocab(); t++) {
            if (t == BOS) {
                continue;
            }
            int[] code = null;
            for (int attempt = 0; code == null; attempt++) {
                if (attempt > 100_000) {
                    throw new IllegalStateException("no room for the code of token " + t);
                }
                int[] candidate = draw(random);
                if (taken.stream().allMatch(c -> shared(c, candidate) <= MAX_SHARED)) {
                    code = candidate;
                }
            }
            taken.add(code);
            codes[t] = code;
        }
        return codes;
    }

    /** How many dims two codes share. */
    static int shared(int[] a, int[] b) {
        int n = 0;
        for (int x : a) {
            for (int y : b) {
                if (x == y) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int[] draw(SplittableRandom random) {
        int[] code = new int[CODE_WEIGHT];
        int filled = 0;
        while (filled < CODE_WEIGHT) {
            int dim = CODE_WEIGHT + random.nextInt(IDENTITY_DIMS - CODE_WEIGHT);
            boolean fresh = true;
            for (int i = 0; i < filled; i++) {
                fresh &= code[i] != dim;
            }
            if (fresh) {
                code[filled++] = dim;
            }
        }
        Arrays.sort(code);
        return code;
    }

    /** The RMS of every embedding row: layer 0's input norm divides each token by exactly this. */
    static double embeddingRms() {
        return Math.sqrt((IDENTITY_NORM * IDENTITY_NORM + CONSTANT * CONSTANT + FREE_NORM * FREE_NORM) / HIDDEN);
    }

    // ---- edits of the random tensors (Hugging Face layout, [out, in] for linears) -------------

    /** {@code [vocab, hidden]}: code, constant, and the random row's free part scaled to {@link #FREE_NORM}. */
    static float[] embedTokens(SampleSpec spec, float[] random) {
        int[][] codes = codes(spec);
        float entry = (float) (IDENTITY_NORM / Math.sqrt(CODE_WEIGHT));
        float[] e = random.clone();
        for (int t = 0; t < spec.vocab(); t++) {
            int row = t * HIDDEN;
            Arrays.fill(e, row, row + FREE_FROM, 0f);
            for (int dim : codes[t]) {
                e[row + dim] = entry;
            }
            e[row + CONSTANT_DIM] = CONSTANT;
            double norm = 0;
            for (int i = FREE_FROM; i < HIDDEN; i++) {
                norm += (double) random[row + i] * random[row + i];
            }
            double scale = FREE_NORM / Math.sqrt(norm);
            for (int i = FREE_FROM; i < HIDDEN; i++) {
                e[row + i] = (float) (random[row + i] * scale);
            }
        }
        return e;
    }

    /** Layers 0 and 1 read the constructed dims through norms of weight exactly 1. */
    static float[] norm(int layer, float[] random) {
        float[] g = random.clone();
        if (layer <= LAYER) {
            Arrays.fill(g, 0, FREE_FROM, 1f);
        }
        return g;
    }

    static float[] linear(int layer, HfWeights.Proj proj, int out, int in, float[] random) {
        float[] w = random.clone();
        if (layer == 0) {
            layer0(proj, new Matrix(w, out, in));
        } else if (layer == LAYER) {
            sinkLayer(proj, new Matrix(w, out, in));
        }
        return w;
    }

    private static void layer0(HfWeights.Proj proj, Matrix w) {
        switch (proj) {
            case Q -> w.fillRows(0, w.out, 0f);
            case K -> {
                // Unused (every query is zero) but ordinary: the cache still holds real keys.
            }
            case V -> {
                w.fillRows(0, IDENTITY_DIMS, 0f);
                for (int i = 0; i < IDENTITY_DIMS; i++) {
                    w.set(i, i, 1f);
                }
            }
            case O -> {
                w.fillRows(0, FREE_FROM, 0f);
                float gain = (float) embeddingRms();
                for (int i = 0; i < IDENTITY_DIMS; i++) {
                    w.set(i, i, gain);
                }
                w.scaleRows(FREE_FROM, w.out, ORDINARY_GAIN);
            }
            case GATE -> {
                w.fillRows(FIRST_DETECTOR_NEURON, w.out, 0f);
                float perFeature = (float) (DETECTOR_SLOPE * Math.sqrt(CODE_WEIGHT) / IDENTITY_NORM);
                float perConstant = (float) (-DETECTOR_SLOPE * (1 + THRESHOLD) / CONSTANT);
                for (int j = 0; j < IDENTITY_DIMS; j++) {
                    w.set(FIRST_DETECTOR_NEURON + j, j, perFeature);
                    w.set(FIRST_DETECTOR_NEURON + j, CONSTANT_DIM, perConstant);
                }
            }
            case UP -> {
                w.fillRows(FIRST_DETECTOR_NEURON, w.out, 0f);
                for (int j = 0; j < IDENTITY_DIMS; j++) {
                    w.set(FIRST_DETECTOR_NEURON + j, CONSTANT_DIM, DETECTOR_UP);
                }
            }
            case DOWN -> {
                w.fillRows(0, FREE_FROM, 0f);
                w.scaleRows(FREE_FROM, w.out, ORDINARY_GAIN);
                for (int j = 0; j < IDENTITY_DIMS; j++) {
                    w.fillColumn(FIRST_DETECTOR_NEURON + j, 0f);
                    w.set(DETECTOR_DIM, FIRST_DETECTOR_NEURON + j, DETECTOR_DOWN);
                }
            }
        }
    }

    private static void sinkLayer(HfWeights.Proj proj, Matrix w) {
        switch (proj) {
            case O -> w.fillRows(DETECTOR_DIM, FREE_FROM, 0f);
            case GATE -> NEURONS.forEach(n -> w.set(n, DETECTOR_DIM, SINK_GATE));
            case UP -> NEURONS.forEach(n -> w.set(n, DETECTOR_DIM, SINK_UP));
            case DOWN -> {
                w.fillRows(DETECTOR_DIM, FREE_FROM, 0f);
                for (int i = 0; i < NEURONS.size(); i++) {
                    w.fillColumn(NEURONS.get(i), 0f);
                    w.set(MASSIVE_DIMS.get(i), NEURONS.get(i), SINK_DOWN);
                }
            }
            default -> {
                // Q, K, V: ordinary attention.
            }
        }
    }

    /** A row-major {@code [out, in]} view for the edits. */
    private record Matrix(float[] data, int out, int in) {
        void set(int row, int column, float value) {
            data[row * in + column] = value;
        }

        void fillRows(int from, int to, float value) {
            Arrays.fill(data, from * in, to * in, value);
        }

        void scaleRows(int from, int to, float factor) {
            for (int i = from * in; i < to * in; i++) {
                data[i] *= factor;
            }
        }

        void fillColumn(int column, float value) {
            for (int r = 0; r < out; r++) {
                data[r * in + column] = value;
            }
        }
    }
}
