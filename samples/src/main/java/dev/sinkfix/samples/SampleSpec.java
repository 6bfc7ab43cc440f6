package dev.sinkfix.samples;

import java.util.Locale;

/**
 * Everything that decides a sample model: the same spec always gives the same file, byte for
 * byte, so tests and benchmarks can name a model instead of shipping it. Weights depend only on
 * the family's shape and the seed, not on the style or dtype: the TORCH, GENAI and DYNAMO
 * writings of one spec compute the same function, which lets tests check one against another.
 */
public record SampleSpec(Family family, ExportStyle style, Precision dtype, int layers, int hidden,
                         int intermediate, int heads, int kvHeads, int vocab, int maxPositions, long seed) {

    public SampleSpec {
        if (family == null || style == null || dtype == null) {
            throw new IllegalArgumentException("family, style and dtype are required");
        }
        positive("layers", layers);
        positive("hidden", hidden);
        positive("intermediate", intermediate);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("vocab", vocab);
        positive("maxPositions", maxPositions);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " is not a multiple of heads " + heads);
        }
        if ((hidden / heads) % 2 != 0) {
            throw new IllegalArgumentException("head size " + hidden / heads + " must be even for rotary embeddings");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    /** How many query heads share one KV head (1 without grouped-query attention). */
    public int kvGroups() {
        return heads / kvHeads;
    }

    public double ropeTheta() {
        return family.ropeTheta();
    }

    /** RMSNorm epsilon, as in the Llama-2 and Mistral configs. */
    public float rmsEpsilon() {
        return 1e-5f;
    }

    public SampleSpec withStyle(ExportStyle newStyle) {
        return new SampleSpec(family, newStyle, dtype, layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed);
    }

    public SampleSpec withDtype(Precision newDtype) {
        return new SampleSpec(family, style, newDtype, layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed);
    }

    public SampleSpec withSeed(long newSeed) {
        return new SampleSpec(family, style, dtype, layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, newSeed);
    }

    public SampleSpec withLayers(int newLayers) {
        return new SampleSpec(family, style, dtype, newLayers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed);
    }

    /** Parameter count, as Hugging Face counts it (untied embedding and head). */
    public long parameterCount() {
        long hd = headDim();
        long attention = (long) hidden * heads * hd * 2 + (long) hidden * kvHeads * hd * 2;
        long mlp = 3L * hidden * intermediate;
        long perLayer = attention + mlp + 2L * hidden;
        return 2L * vocab * hidden + layers * perLayer + hidden;
    }

    /** A one-line description for metadata and messages. */
    public String describe() {
        return String.format(Locale.ROOT,
                "%s %s %s: %d layers, hidden %d, intermediate %d, heads %d/%d kv, vocab %d, max positions %d, seed %d",
                family.name().toLowerCase(Locale.ROOT), style.name().toLowerCase(Locale.ROOT),
                dtype.name().toLowerCase(Locale.ROOT), layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
