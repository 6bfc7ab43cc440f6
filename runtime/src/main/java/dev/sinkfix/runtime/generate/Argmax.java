package dev.sinkfix.runtime.generate;

/**
 * The greedy choice, one rule for {@code run} and for every comparison of greedy tokens
 * ({@code validate}, clamp validation, the benchmarks): the first highest score; a NaN never wins
 * over a number.
 */
public final class Argmax {
    private Argmax() {
    }

    /** The index, within {@code [from, from + n)} of {@code scores}, of the best score, counted from {@code from}. */
    public static int of(float[] scores, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            float s = scores[from + i];
            float b = scores[from + best];
            if (s > b || Float.isNaN(b) && !Float.isNaN(s)) {
                best = i;
            }
        }
        return best;
    }
}
