package dev.sinkfix.validator.diff;

import dev.sinkfix.validator.Tolerance;

/**
 * How one output of two models differs, element by element; A's value is the expected one.
 *
 * @param count      elements compared
 * @param exceeding  elements outside the tolerance
 * @param maxAbs     largest {@code |b - a|}
 * @param maxRel     largest {@code |b - a| / |a|} over elements with {@code a != 0}
 * @param meanAbs    mean {@code |b - a|}
 * @param p99Abs     99th percentile of {@code |b - a|} (exact up to 2^20 elements, beyond that
 *                   from a log histogram, within 2.3%)
 * @param first      index of the first element outside the tolerance (row-major), or null
 * @param firstA     A's value there
 * @param firstB     B's value there
 * @param problem    why the output could not be compared (shapes or types differ), or null
 */
public record OutputDiff(String name, String dtype, long[] shape, Tolerance tolerance, long count, long exceeding,
                         double maxAbs, double maxRel, double meanAbs, double p99Abs, long[] first, double firstA,
                         double firstB, String problem) {

    public boolean passed() {
        return problem == null && exceeding == 0;
    }
}
