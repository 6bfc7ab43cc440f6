package dev.sinkfix.runtime;

import java.util.Arrays;

/**
 * A floating-point tensor copied out of ONNX Runtime into Java, as fp32 whatever its type was.
 *
 * @param shape  dimensions
 * @param values elements in row-major order
 */
public record FloatData(long[] shape, float[] values) {

    public FloatData {
        long count = Tensors.elementCount(shape);
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " values, got " + values.length);
        }
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The element at {@code index} (one coordinate per dimension). */
    public float get(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        long flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return values[(int) flat];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FloatData o && Arrays.equals(shape, o.shape) && Arrays.equals(values, o.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FloatData" + Arrays.toString(shape) + (values.length <= 8 ? Arrays.toString(values) : "");
    }
}
