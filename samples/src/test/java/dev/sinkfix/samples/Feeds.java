package dev.sinkfix.samples;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.ir.DataType;

/** Extra inputs for the samples' tests, in the one host-tensor type the modules share. */
final class Feeds {
    private Feeds() {
    }

    static HostTensor floats(float[] values, long... shape) {
        return new HostTensor(DataType.FLOAT, shape, values);
    }

    /** A one-element bool, as optimum's merged decoder takes {@code use_cache_branch} ({@code [1]}). */
    static HostTensor flag(boolean value) {
        return new HostTensor(DataType.BOOL, new long[] {1}, new float[] {value ? 1 : 0});
    }
}
