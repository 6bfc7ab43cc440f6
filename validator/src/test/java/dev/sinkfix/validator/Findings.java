package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Mismatches of one invariant gathered over many calls, each line saying which call it came from. */
final class Findings {
    private final String invariant;
    private final List<String> lines = new ArrayList<>();
    private int count;

    Findings(String invariant) {
        this.invariant = invariant;
    }

    void add(String call, List<Mismatch> mismatches) {
        count += mismatches.size();
        for (Mismatch m : mismatches) {
            if (lines.size() < 10) {
                lines.add(call + ": " + m.describe());
            }
        }
    }

    void fail(String call, String what) {
        count++;
        if (lines.size() < 10) {
            lines.add(call + ": " + what);
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    Executable assertion(String subject) {
        return () -> assertTrue(count == 0, () -> subject + ": " + invariant + " broken, " + count
                + (count == 1 ? " value" : " values") + "\n  " + String.join("\n  ", lines)
                + (count > lines.size() ? "\n  ..." : ""));
    }
}
