package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;

/**
 * What {@code find} runs. Layers {@code firstLayer..lastLayer} (clipped to the model) are the
 * "early layers" the sink layer is looked for in. {@code prompts} empty means four seeded random
 * prompts of 64 tokens after BoS; {@code repeatTokens} empty means three ids spread over the
 * vocabulary. {@code repeatLength} is the longest run of one token after BoS (halved until the
 * model accepts it). A norm counts as extreme at {@code sinkFactor} times its typical value
 * (probe's definition of a sink). At most {@code candidates} neurons are tried by the causal check.
 */
public record FindSettings(long bos, int firstLayer, int lastLayer, MlpSite site, List<long[]> prompts,
                           List<Long> repeatTokens, int repeatLength, int candidates, double sinkFactor, long seed) {

    /**
     * BoS is back to ordinary, once neurons are zeroed, below this times the typical norm: a zeroing
     * that leaves BoS at 3x typical has not removed the sink, though 3x is not yet "extreme".
     */
    public static final double ORDINARY_FACTOR = 2.0;
    public static final int VARIED_PROMPTS = 4;
    public static final int VARIED_LENGTH = 64;

    public FindSettings {
        prompts = List.copyOf(prompts);
        repeatTokens = List.copyOf(repeatTokens);
    }

    public static FindSettings defaults() {
        return new FindSettings(1, 0, 8, MlpSite.UP, List.of(), List.of(), 1000, 8, 5.0, 20261201L);
    }

    public FindSettings withLayers(int first, int last) {
        return new FindSettings(bos, first, last, site, prompts, repeatTokens, repeatLength, candidates, sinkFactor, seed);
    }

    public FindSettings withSite(MlpSite value) {
        return new FindSettings(bos, firstLayer, lastLayer, value, prompts, repeatTokens, repeatLength, candidates,
                sinkFactor, seed);
    }

    public FindSettings withPrompts(List<long[]> value) {
        return new FindSettings(bos, firstLayer, lastLayer, site, value, repeatTokens, repeatLength, candidates,
                sinkFactor, seed);
    }

    public FindSettings withRepeats(List<Long> tokens, int length) {
        return new FindSettings(bos, firstLayer, lastLayer, site, prompts, tokens, length, candidates, sinkFactor, seed);
    }

    public FindSettings withBos(long value) {
        return new FindSettings(value, firstLayer, lastLayer, site, prompts, repeatTokens, repeatLength, candidates,
                sinkFactor, seed);
    }
}
