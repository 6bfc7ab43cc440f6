package dev.sinkfix.samples;

/**
 * How a sample's weights are made. Every recipe draws the same seeded random tensors first (see
 * {@link HfWeights}); a recipe other than {@link #RANDOM} then writes constructed blocks over
 * some of them, so a constructed sample is still an ordinary decoder everywhere else.
 */
public enum WeightRecipe {
    /** Seeded random weights only: no token or neuron is special. */
    RANDOM,
    /** The attention-sink phenomenon built in by hand: see {@link SinkSample}. */
    SINK
}
