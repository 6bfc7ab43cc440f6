package dev.sinkfix.validator.find;

/**
 * The poster's "repeats" figure for one repeated token, at the sink layer, by probe's definition
 * (the first repeat count whose residual norm reaches half the BoS norm; null: never within
 * {@code length}), for the original and for the proposed patch (null when not run).
 */
public record RepeatFigure(long token, int length, double bosNorm, Integer original, double lastOriginal,
                           Integer patched, Double lastPatched) {
}
