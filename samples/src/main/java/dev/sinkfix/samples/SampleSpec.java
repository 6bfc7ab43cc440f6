package dev.sinkfix.samples;

import java.util.Locale;

/**
 * Everything that decides a sample model: the same spec always gives the same file, byte for
 * byte, so tests and benchmarks can name a model instead of shipping it. Weights depend only on
 * the family's shape and the seed, not on the style or dtype: the TORCH, GENAI and DYNAMO
 * writings of one spec compute the same function, which lets tests check one against another.
 * {@code recipe} says whether the weights are only random or carry a constructed mechanism
 * ({@link WeightRecipe#SINK}, see {@link SinkSample}).
 */
public record SampleSpec(Family family, ExportStyle style, Precision dtype, int layers, int hidden,
                         int intermediate, int heads, int kvHeads, int vocab, int maxPositions, long seed,
                         WeightRecipe recipe) {

    public SampleSpec {
        if (family == null || style == null || dtype == null || recipe == null) {
            throw new IllegalArgumentException("family, style, dtype and recipe are required");
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

    /** A spec with seeded random weights ({@link WeightRecipe#RANDOM}). */
    public SampleSpec(Family family, ExportStyle style, Precision dtype, int layers, int hidden, int intermediate,
                      int heads, int kvHeads, int vocab, int maxPositions, long seed) {
        this(family, style, dtype, layers, hidden, intermediate, heads, kvHeads, vocab, maxPositions, seed,
                WeightRecipe.RANDOM);
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
                maxPositions, seed, recipe);
    }

    public SampleSpec withDtype(Precision newDtype) {
        return new SampleSpec(family, style, newDtype, layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed, recipe);
    }

    public SampleSpec withSeed(long newSeed) {
        return new SampleSpec(family, style, dtype, layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, newSeed, recipe);
    }

    public SampleSpec withLayers(int newLayers) {
        return new SampleSpec(family, style, dtype, newLayers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed, recipe);
    }

    public SampleSpec withRecipe(WeightRecipe newRecipe) {
        return new SampleSpec(family, style, dtype, layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed, newRecipe);
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
        String weights = recipe == WeightRecipe.RANDOM ? "" : ", " + recipe.name().toLowerCase(Locale.ROOT) + " weights";
        return String.format(Locale.ROOT,
                "%s %s %s: %d layers, hidden %d, intermediate %d, heads %d/%d kv, vocab %d, max positions %d, seed %d%s",
                family.name().toLowerCase(Locale.ROOT), style.name().toLowerCase(Locale.ROOT),
                dtype.name().toLowerCase(Locale.ROOT), layers, hidden, intermediate, heads, kvHeads, vocab,
                maxPositions, seed, weights);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
