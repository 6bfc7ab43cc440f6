package dev.sinkfix.runtime.generate;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.surgery.ir.DataType;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * Fills an input the generator does not know, for a single pass over a whole prompt with nothing
 * cached: an integer input over the sequence gets the positions {@code 0..n-1} (a static cache's
 * write indices), anything else zeros, with the batch dimension 1, the sequence dimension the
 * prompt's length and any other open dimension 0 (an empty past).
 */
final class FirstCallGuess {
    private final String batchDim;
    private final String sequenceDim;
    private final int length;

    FirstCallGuess(IoSpec inputIds, int length) {
        this.batchDim = inputIds.rank() == 2 ? inputIds.dimNames().get(0) : "";
        this.sequenceDim = inputIds.rank() == 2 ? inputIds.dimNames().get(1) : "";
        this.length = length;
    }

    /** Adds a value for {@code input} to {@code feeds}; returns one line saying what was fed. */
    String fill(Feeds feeds, IoSpec input) throws OrtException {
        long[] shape = input.shape();
        int sequenceAxis = -1;
        for (int axis = 0; axis < shape.length; axis++) {
            String name = input.dimNames().get(axis);
            if (!name.isEmpty() && name.equals(sequenceDim)) {
                shape[axis] = length;
                sequenceAxis = axis;
            } else if (!name.isEmpty() && name.equals(batchDim)) {
                shape[axis] = 1;
            } else if (shape[axis] < 0) {
                shape[axis] = 0;
            }
        }
        boolean integer = input.dtype() == DataType.INT64 || input.dtype() == DataType.INT32;
        if (integer && sequenceAxis == shape.length - 1 && shape.length <= 2) {
            long[] range = new long[length];
            Arrays.setAll(range, i -> i);
            if (shape.length == 1) {
                feeds.ints(input.name(), input.dtype(), range);
            } else {
                feeds.ints(input.name(), input.dtype(), new long[][] {range});
            }
            return input.name() + ": 0.." + (length - 1) + " (the positions of a first call)";
        }
        feeds.zeros(input.name(), input.dtype(), shape);
        StringJoiner dims = new StringJoiner(", ", "[", "]");
        Arrays.stream(shape).forEach(d -> dims.add(Long.toString(d)));
        return input.name() + ": zeros " + input.dtype().onnxName() + dims;
    }
}
