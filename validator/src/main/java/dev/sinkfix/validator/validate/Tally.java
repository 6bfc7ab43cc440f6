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

    /** A part of the check that could not run, and why. */
    void skipped(String why) {
        notApplicable.add(why);
    }

    CheckResult result() {
        CheckResult.Status status = mismatches > 0 ? CheckResult.Status.FAILED
                : compared > 0 ? CheckResult.Status.PASSED : CheckResult.Status.NOT_APPLICABLE;
        StringBuilder detail = new StringBuilder();
        if (mismatches > 0) {
            detail.append(mismatches).append(mismatches == 1 ? " value" : " values").append(" out of tolerance; ")
                    .append(String.join("; ", first));
            if (mismatches > first.size()) {
                detail.append("; ...");
            }
        } else if (compared > 0) {
            detail.append(compared).append(" values compared");
        }
        if (!notApplicable.isEmpty()) {
            detail.append(detail.length() > 0 ? "; " : "").append("not run: ").append(String.join("; ", notApplicable));
        }
        return new CheckResult(id, name, status, compared == 0 && mismatches == 0 ? Double.NaN : largest, tolerance,
                compared, mismatches, detail.toString());
    }
}
