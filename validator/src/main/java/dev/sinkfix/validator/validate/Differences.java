package dev.sinkfix.validator.validate;

import dev.sinkfix.runtime.HostTensor;
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
        long[] count = {0};
        double[] largest = {0};
        TensorComparison.forEachSlot(shape, layout, slots, (flat, index) -> {
            count[0]++;
            if (e[flat] != a[flat] && !(Float.isNaN(e[flat]) && Float.isNaN(a[flat]))) {
                double d = Math.abs((double) a[flat] - e[flat]);
                largest[0] = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(largest[0], d);
            }
        });
        return new Measure(count[0], largest[0]);
    }
}
