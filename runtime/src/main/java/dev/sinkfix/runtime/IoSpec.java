package dev.sinkfix.runtime;

import dev.sinkfix.surgery.ir.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * One input or output of a session as ONNX Runtime sees it.
 *
 * @param name     the value's name
 * @param dtype    element type; {@link DataType#UNDEFINED} for a value that is not a tensor
 * @param shape    dimensions, -1 where symbolic or unknown; empty for a scalar or a non-tensor
 * @param dimNames the symbolic name of each dimension, "" where it has none
 */
public record IoSpec(String name, DataType dtype, long[] shape, List<String> dimNames) {

    public IoSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        dimNames = List.copyOf(dimNames);
        if (dimNames.size() != shape.length) {
            throw new IllegalArgumentException(name + ": " + dimNames.size() + " dimension names for rank " + shape.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IoSpec o && name.equals(o.name) && dtype == o.dtype
                && Arrays.equals(shape, o.shape) && dimNames.equals(o.dimNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), dimNames);
    }

    /** Reads like {@code input_ids int64[batch, sequence]}. */
    @Override
    public String toString() {
        StringJoiner dims = new StringJoiner(", ", "[", "]");
        for (int i = 0; i < shape.length; i++) {
            dims.add(shape[i] >= 0 ? Long.toString(shape[i]) : dimNames.get(i).isEmpty() ? "?" : dimNames.get(i));
        }
        return name + " " + dtype.onnxName() + dims;
    }
}
