package dev.sinkfix.validator;

import java.util.List;
import java.util.Locale;

/**
 * One value that is not what a check expected, located the way a reader looks for it: the
 * tensor, the batch row, the column of the call and the token's position, and the index along
 * the last axis (a neuron of a site, a vocabulary entry of the logits).
 *
 * @param tensor        the tensor's name, with what side it came from
 * @param row           batch row
 * @param column        column of this call ({@code t}); -1 for a tensor without tokens (a sink state)
 * @param slot          {@code position 3}, {@code padding (position id 1)}, or for a state the neuron
 * @param axis          what the last axis indexes: {@code neuron}, {@code vocab}, {@code state slot}
 * @param index         index along that axis
 * @param expectedLabel where the expected value came from ({@code original}, {@code reference})
 * @param expected      the expected value
 * @param actualLabel   where the actual value came from ({@code patched})
 * @param actual        the actual value
 */
public record Mismatch(String tensor, int row, int column, String slot, String axis, int index,
                       String expectedLabel, float expected, String actualLabel, float actual) {

    public String describe() {
        String where = column >= 0 ? String.format(Locale.ROOT, "column %d (%s)", column, slot) : "(" + slot + ")";
        return String.format(Locale.ROOT, "%s row %d %s %s %d: %s %s, %s %s (difference %s)",
                tensor, row, where, axis, index, expectedLabel, show(expected), actualLabel, show(actual),
                show(Math.abs(actual - expected)));
    }

    /** A headline, the count, and the first mismatches: for an assertion message. */
    public static String report(String headline, List<Mismatch> mismatches) {
        StringBuilder s = new StringBuilder(headline).append(": ").append(mismatches.size())
                .append(mismatches.size() == 1 ? " value differs" : " values differ");
        mismatches.stream().limit(8).forEach(m -> s.append("\n  ").append(m.describe()));
        if (mismatches.size() > 8) {
            s.append("\n  ...");
        }
        return s.toString();
    }

    private static String show(float v) {
        return Float.isFinite(v) && v != 0 && Math.abs(v) < 1e-3 ? String.format(Locale.ROOT, "%.6e", v)
                : Float.toString(v);
    }
}
