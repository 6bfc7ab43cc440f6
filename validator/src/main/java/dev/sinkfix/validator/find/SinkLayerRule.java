package dev.sinkfix.validator.find;

import java.util.List;
import java.util.Map;

/**
 * The authors' sink-layer rule (notebook {@code find_sink_layer}): the first early layer whose MLP
 * output norm at BoS exceeds mean + 2 sigma of those norms. Taken literally, with the tested layer
 * inside its own mean and sigma, no value of n can pass unless n >= 6 (the largest z-score of n
 * values is (n - 1) / sqrt(n)), so a model with few layers, or a short window, could never have a
 * sink; the decision therefore leaves the tested layer out of its own baseline, and the literal
 * threshold is reported beside it.
 */
final class SinkLayerRule {
    private SinkLayerRule() {
    }

    /** mean + 2 sigma (population) of the BoS MLP norms of {@code layers} other than {@code except}. */
    static double threshold(Map<Integer, Double> bosMlp, List<Integer> layers, Integer except) {
        double sum = 0;
        int n = 0;
        for (int l : layers) {
            if (except == null || l != except) {
                sum += bosMlp.get(l);
                n++;
            }
        }
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        double mean = sum / n;
        double squares = 0;
        for (int l : layers) {
            if (except == null || l != except) {
                double d = bosMlp.get(l) - mean;
                squares += d * d;
            }
        }
        return mean + 2 * Math.sqrt(squares / n);
    }
}
