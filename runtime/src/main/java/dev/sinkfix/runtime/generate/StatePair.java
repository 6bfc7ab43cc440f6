package dev.sinkfix.runtime.generate;

import dev.sinkfix.runtime.IoSpec;
import java.util.Objects;

/**
 * One piece of state that a decoder reads as {@code past} and returns as {@code present}, to be
 * fed back on the next call: a KV-cache tensor, a patched layer's sink state, or anything an
 * exporter threads the same way.
 *
 * @param past       the input
 * @param present    the output that becomes the next call's {@code past}
 * @param batchAxis  the axis that counts rows, or -1 where the batch size is fixed in the graph
 * @param lengthAxis the axis that grows by the tokens of each call (a KV cache's past length), or -1
 *                   for state of a fixed size such as the sink state {@code [batch, n]}
 */
public record StatePair(IoSpec past, IoSpec present, int batchAxis, int lengthAxis) {

    public StatePair {
        Objects.requireNonNull(past, "past");
        Objects.requireNonNull(present, "present");
    }

    /**
     * The shape of the state before the first call: {@code batch} rows, an empty past, and every
     * other dimension as the graph declares it.
     *
     * @throws IllegalArgumentException when the graph fixes the batch size to something else, or
     *                                  leaves another dimension open
     */
    public long[] firstCallShape(int batch) {
        long[] shape = past.shape();
        for (int axis = 0; axis < shape.length; axis++) {
            if (axis == batchAxis) {
                shape[axis] = batch;
            } else if (axis == lengthAxis) {
                shape[axis] = 0;
            } else if (shape[axis] < 0) {
                throw new IllegalArgumentException("state " + past + ": cannot tell the size of dimension " + axis);
            } else if (axis == 0 && batchAxis < 0 && shape[axis] != batch) {
                throw new IllegalArgumentException("state " + past + " is fixed to a batch of " + shape[axis]
                        + ", not " + batch);
            }
        }
        return shape;
    }

    @Override
    public String toString() {
        return past.name() + " -> " + present.name();
    }
}
