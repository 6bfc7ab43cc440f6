package dev.sinkfix.validator.diff;

import dev.sinkfix.validator.Tolerance;
import java.util.Arrays;

/**
 * Running error statistics of one output, in memory independent of its size past 2^20 elements:
 * the 99th percentile comes from the sorted errors up to there, from a histogram of 100 bins per
 * decade beyond (so within 2.3%).
 */
final class ErrorStats {
    private static final int EXACT_LIMIT = 1 << 20;
    private static final int BINS_PER_DECADE = 100;
    private static final int LOWEST_DECADE = -40;
    private static final int DECADES = 80;

    private final float[] errors;
    private final long[] histogram;
    private long zeros;
    private long seen;
    long exceeding;
    double maxAbs;
    double maxRel;
    double sumAbs;
    long first = -1;
    double firstA = Double.NaN;
    double firstB = Double.NaN;

    ErrorStats(long count) {
        errors = count <= EXACT_LIMIT ? new float[(int) count] : null;
        histogram = errors == null ? new long[DECADES * BINS_PER_DECADE + 2] : null;
    }

    void add(long index, double a, double b, Tolerance tol) {
        double d = Math.abs(b - a);
        boolean bothNaN = Double.isNaN(a) && Double.isNaN(b);
        if (bothNaN || a == b) {
            d = 0;
        } else if (Double.isNaN(d)) {
            d = Double.POSITIVE_INFINITY;
        }
        maxAbs = Math.max(maxAbs, d);
        if (a != 0 && d > 0) {
            maxRel = Math.max(maxRel, d / Math.abs(a));
        }
        sumAbs += d;
        if (d > 0 && !(d <= tol.absolute() + tol.relative() * Math.abs(a))) {
            exceeding++;
            if (first < 0) {
                first = index;
                firstA = a;
                firstB = b;
            }
        }
        if (errors != null) {
            errors[(int) seen] = (float) d;
        } else if (d == 0) {
            zeros++;
        } else {
            histogram[bin(d)]++;
        }
        seen++;
    }

    private static int bin(double d) {
        if (Double.isInfinite(d)) {
            return DECADES * BINS_PER_DECADE + 1;
        }
        int b = (int) Math.floor((Math.log10(d) - LOWEST_DECADE) * BINS_PER_DECADE);
        return Math.max(0, Math.min(DECADES * BINS_PER_DECADE, b));
    }

    double p99() {
        if (seen == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(0.99 * seen);
        if (errors != null) {
            float[] sorted = Arrays.copyOf(errors, (int) seen);
            Arrays.sort(sorted);
            return sorted[(int) Math.max(0, rank - 1)];
        }
        long cumulative = zeros;
        if (cumulative >= rank) {
            return 0;
        }
        for (int i = 0; i < histogram.length; i++) {
            cumulative += histogram[i];
            if (cumulative >= rank) {
                return i > DECADES * BINS_PER_DECADE ? Double.POSITIVE_INFINITY
                        : Math.pow(10, LOWEST_DECADE + (i + 1.0) / BINS_PER_DECADE);
            }
        }
        return maxAbs;
    }
}
