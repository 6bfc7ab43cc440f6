package dev.sinkfix.validator;

import dev.sinkfix.runtime.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Element-wise comparison of two tensors of one shape that hold tokens along one axis (logits
 * {@code [batch, seq, vocab]} along 1, a KV cache {@code [batch, heads, past+seq, dim]} along 2),
 * reported with the row, column and position of every value that differs.
 */
public final class TensorComparison {
    private TensorComparison() {
    }

    /** Which slots to compare: {@code column} is the call's column ({@code t}), 0-based. */
    @FunctionalInterface
    public interface Slots {
        boolean includes(int row, int column);
    }

    /**
     * Where the tokens are in the tensors and what they are.
     *
     * @param seqAxis      the axis of tokens (the batch axis is 0)
     * @param columnOffset index along {@code seqAxis} of the call's first token (the past length
     *                     for a present KV cache, 0 for logits); earlier indices are not compared
     * @param where        the call's positions, for messages and for {@link Slots}
     */
    public record Layout(int seqAxis, int columnOffset, TokenPositions where) {
    }

    public static List<Mismatch> compare(String tensor, String expectedLabel, HostTensor expected, String actualLabel,
                                         HostTensor actual, Tolerance tolerance, Layout layout, Slots slots) {
        long[] shape = expected.shape();
        if (!Arrays.equals(shape, actual.shape())) {
            throw new IllegalArgumentException(tensor + ": " + expectedLabel + " is " + expected + ", " + actualLabel
                    + " is " + actual);
        }
        List<Mismatch> found = new ArrayList<>();
        float[] e = expected.values();
        float[] a = actual.values();
        forEachSlot(shape, layout, slots, (flat, index) -> {
            if (!tolerance.accepts(e[flat], a[flat])) {
                int row = (int) index[0];
                int column = (int) index[layout.seqAxis()] - layout.columnOffset();
                found.add(new Mismatch(tensor, row, column, layout.where().describe(row, column),
                        lastAxisName(index, layout.seqAxis()), (int) index[shape.length - 1], expectedLabel, e[flat],
                        actualLabel, a[flat]));
            }
        });
        return found;
    }

    /** Told each compared element: its flat offset and its index (the array is reused between calls). */
    @FunctionalInterface
    public interface SlotVisitor {
        void visit(int flat, long[] index);
    }

    /** Walks every element of a tensor of {@code shape} that lies in a compared slot, in memory order. */
    public static void forEachSlot(long[] shape, Layout layout, Slots slots, SlotVisitor visitor) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        long[] index = new long[shape.length];
        for (int flat = 0; flat < size; flat++) {
            if (flat > 0) {
                for (int axis = shape.length - 1; axis >= 0; axis--) {
                    if (++index[axis] < shape[axis]) {
                        break;
                    }
                    index[axis] = 0;
                }
            }
            int row = (int) index[0];
            int column = (int) index[layout.seqAxis()] - layout.columnOffset();
            if (column >= 0 && column < layout.where().length() && slots.includes(row, column)) {
                visitor.visit(flat, index);
            }
        }
    }

    /** {@code vocab} for logits; {@code head 2 element} for a KV cache. */
    private static String lastAxisName(long[] index, int seqAxis) {
        if (index.length == 3 && seqAxis == 1) {
            return "vocab";
        }
        StringBuilder s = new StringBuilder();
        for (int axis = 1; axis < index.length - 1; axis++) {
            if (axis != seqAxis) {
                s.append("axis ").append(axis).append(" = ").append(index[axis]).append(", ");
            }
        }
        return s.append("element").toString();
    }
}
