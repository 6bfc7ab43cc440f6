package dev.sinkfix.runtime.generate;

import java.util.Objects;
import java.util.Set;

/**
 * What to generate.
 *
 * @param maxNewTokens tokens to generate per row at most, 1 or more
 * @param sampling     how each token is chosen
 * @param stopTokens   ids that end a row (the stop token is kept as its last token)
 * @param padToken     the id put in padded and finished slots; the mask hides it, so any valid id does
 */
public record GenerationConfig(int maxNewTokens, Sampling sampling, Set<Long> stopTokens, long padToken) {

    public GenerationConfig {
        Objects.requireNonNull(sampling, "sampling");
        stopTokens = Set.copyOf(stopTokens);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be 1 or more, got " + maxNewTokens);
        }
        if (padToken < 0) {
            throw new IllegalArgumentException("pad token must be a token id (0 or more), got " + padToken);
        }
    }

    /** Greedy, no stop token, pad id 0. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, Sampling.GREEDY, Set.of(), 0);
    }

    public GenerationConfig withSampling(Sampling value) {
        return new GenerationConfig(maxNewTokens, value, stopTokens, padToken);
    }

    public GenerationConfig withStopTokens(Set<Long> value) {
        return new GenerationConfig(maxNewTokens, sampling, value, padToken);
    }

    public GenerationConfig withPadToken(long value) {
        return new GenerationConfig(maxNewTokens, sampling, stopTokens, value);
    }
}
