package dev.sinkfix.validator.validate;

import dev.sinkfix.validator.HostTensor;
import dev.sinkfix.validator.TensorComparison;
import java.util.Arrays;

/**
 * How many values of two tensors a check compares and the largest absolute difference among
 * them, over the slots the check covers: the figure of the report. {@link TensorComparison}
 * lists the values out of tolerance; this measures the ones within it too, without listing them.
 */
final class Differences {
    record Measure(long count, double largest) {
    }

    private Differences() {
    }

    static Measure measure(HostTensor expected, HostTensor actual, TensorComparison.Layout layout,
                           TensorComparison.Slots slots) {
        long[] shape = expected.shape();
        if (!Arrays.equals(shape, actual.shape())) {
            return new Measure(0, Double.NaN);
        }
        float[] e = expected.values();
        float[] a = actual.values();
        long[] index = new long[shape.length];
        long count = 0;
        double largest = 0;
        for (int flat = 0; flat < e.length; flat++) {
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
            if (column < 0 || column >= layout.where().length() || !slots.includes(row, column)) {
                continue;
            }
            count++;
            if (e[flat] != a[flat] && !(Float.isNaN(e[flat]) && Float.isNaN(a[flat]))) {
                double d = Math.abs((double) a[flat] - e[flat]);
                largest = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(largest, d);
            }
        }
        return new Measure(count, largest);
    }
}
