package dev.sinkfix.validator.validate;

import dev.sinkfix.validator.Mismatch;
import dev.sinkfix.validator.Tolerance;
import java.util.ArrayList;
import java.util.List;

/** What one check has seen over every call: values compared, the largest difference, the first mismatches. */
final class Tally {
    private static final int KEPT = 5;
    final int id;
    final String name;
    final String tolerance;
    private long compared;
    private long mismatches;
    private double largest;
    private final List<String> first = new ArrayList<>();
    private final List<String> notApplicable = new ArrayList<>();
    private final List<String> runFailures = new ArrayList<>();

    Tally(int id, String name, Tolerance tolerance) {
        this.id = id;
        this.name = name;
        this.tolerance = tolerance.toString();
    }

    /** {@code count} values compared, {@code difference} the largest absolute difference among them. */
    void compared(long count, double difference) {
        compared += count;
        if (difference > largest) {
            largest = difference;
        }
    }

    void found(String where, List<Mismatch> found) {
        for (Mismatch m : found) {
            mismatches++;
            double d = Math.abs((double) m.actual() - m.expected());
            if (!(d <= largest)) {
                largest = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
            if (first.size() < KEPT) {
                first.add(where + ": " + m.describe());
            }
        }
    }

    /**
     * The patched model could not be run (or its outputs not read) where the check needed it: a
     * failure of the check, with the runtime's message, never a part that "does not apply".
     */
    void runFailed(String where, String message) {
        runFailures.add(where + ": " + message);
    }

    /** A part of the check that could not run because the original model itself cannot be driven there, and why. */
    void skipped(String why) {
        notApplicable.add(why);
    }

    CheckResult result() {
        CheckResult.Status status = mismatches > 0 || !runFailures.isEmpty() ? CheckResult.Status.FAILED
                : compared > 0 ? CheckResult.Status.PASSED : CheckResult.Status.NOT_APPLICABLE;
        StringBuilder detail = new StringBuilder();
        if (!runFailures.isEmpty()) {
            detail.append("the patched model failed: ").append(String.join("; ", runFailures.subList(0,
                    Math.min(KEPT, runFailures.size())))).append(runFailures.size() > KEPT ? "; ..." : "");
        }
        if (mismatches > 0) {
            detail.append(detail.length() > 0 ? "; " : "");
            detail.append(mismatches).append(mismatches == 1 ? " value" : " values").append(" out of tolerance; ")
                    .append(String.join("; ", first));
            if (mismatches > first.size()) {
                detail.append("; ...");
            }
        } else if (compared > 0) {
            detail.append(detail.length() > 0 ? "; " : "").append(compared).append(" values compared");
        }
        if (!notApplicable.isEmpty()) {
            detail.append(detail.length() > 0 ? "; " : "").append("not run: ").append(String.join("; ", notApplicable));
        }
        return new CheckResult(id, name, status, compared == 0 && mismatches == 0 ? Double.NaN : largest, tolerance,
                compared, mismatches, detail.toString(), runFailures.size());
    }
}
