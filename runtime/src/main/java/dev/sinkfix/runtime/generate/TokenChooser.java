package dev.sinkfix.runtime.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Chooses tokens as a {@link Sampling} says; one instance per generation, so draws follow the seed. */
final class TokenChooser {
    private final Sampling sampling;
    private final SplittableRandom random;

    TokenChooser(Sampling sampling) {
        this.sampling = sampling;
        this.random = new SplittableRandom(sampling.seed());
    }

    long choose(float[] scores) {
        return sampling.greedy() ? argmax(scores) : draw(scores);
    }

    static int argmax(float[] scores) {
        return Argmax.of(scores, 0, scores.length);
    }

    private int draw(float[] scores) {
        int n = scores.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            if (s > max) {
                max = s;
            }
        }
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            return argmax(scores);
        }
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = Float.isNaN(scores[i]) ? 0 : Math.exp((scores[i] - max) / sampling.temperature());
        }
        // Descending weight, ascending id on ties: weights are >= 0, so their bit patterns sort like them.
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits((float) weights[i])) << 32) | i;
        }
        Arrays.sort(order);
        int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), n) : n;
        double total = 0;
        for (int k = 0; k < keep; k++) {
            total += weights[(int) order[k]];
        }
        if (sampling.topP() < 1) {
            double cumulative = 0;
            for (int k = 0; k < keep; k++) {
                cumulative += weights[(int) order[k]];
                if (cumulative >= sampling.topP() * total) {
                    keep = k + 1;
                    total = cumulative;
                    break;
                }
            }
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        for (int k = 0; k < keep; k++) {
            cumulative += weights[(int) order[k]];
            if (target < cumulative) {
                return (int) order[k];
            }
        }
        return (int) order[keep - 1];
    }
}
