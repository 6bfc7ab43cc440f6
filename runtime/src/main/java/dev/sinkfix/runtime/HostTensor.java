package dev.sinkfix.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import dev.sinkfix.surgery.ir.DataType;
import java.util.Arrays;
import java.util.List;

/**
 * A floating-point tensor held in Java between ONNX Runtime calls, so no native object outlives
 * the call that made it. Values are kept as fp32 whatever the element type: every fp16 and bf16
 * value is exactly an fp32 value, so a cache fed back is bit for bit what came out.
 *
 * @param dtype  the element type the model uses (FLOAT, FLOAT16 or BFLOAT16)
 * @param shape  dimensions
 * @param values elements in row-major order
 */
public record HostTensor(DataType dtype, long[] shape, float[] values) {

    public HostTensor {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " values, got " + values.length);
        }
        shape = shape.clone();
    }

    public static HostTensor zeros(DataType dtype, long... shape) {
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, Math.max(d, 0));
        }
        return new HostTensor(dtype, shape, new float[Math.toIntExact(count)]);
    }

    /** Copies an output of a session out of native memory: fp32, fp16, bf16 (or fp64, narrowed). */
    public static HostTensor read(OnnxValue value) throws OrtException {
        return Tensors.readFloats(value);
    }

    /** A new native tensor of this one's type and values; the caller closes it. */
    public OnnxTensor toOnnx() throws OrtException {
        return Tensors.floating(dtype, values, shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** Row-major offset of {@code index}. */
    public int offset(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        long flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape "
                        + Arrays.toString(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return (int) flat;
    }

    public float get(long... index) {
        return values[offset(index)];
    }

    /** Joins tensors of equal type and rank along {@code axis}: the logits of successive steps. */
    public static HostTensor concat(int axis, List<HostTensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        HostTensor first = parts.get(0);
        long[] shape = first.shape();
        shape[axis] = 0;
        for (HostTensor p : parts) {
            if (p.rank() != first.rank() || p.dtype != first.dtype) {
                throw new IllegalArgumentException("cannot concatenate " + p + " to " + first);
            }
            for (int a = 0; a < shape.length; a++) {
                if (a != axis && p.shape[a] != first.shape[a]) {
                    throw new IllegalArgumentException("cannot concatenate " + p + " to " + first + " along axis " + axis);
                }
            }
            shape[axis] += p.shape[axis];
        }
        long outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= shape[a];
        }
        long inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        float[] values = new float[Math.toIntExact(outer * shape[axis] * inner)];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (HostTensor p : parts) {
                int block = (int) (p.shape[axis] * inner);
                System.arraycopy(p.values, (int) (o * block), values, at, block);
                at += block;
            }
        }
        return new HostTensor(first.dtype, shape, values);
    }

    /** The {@code [rows, columns]} contents of a rank-2 tensor: a sink state. */
    public float[][] rows() {
        if (rank() != 2) {
            throw new IllegalStateException("expected a [batch, n] tensor, got " + this);
        }
        int r = (int) shape[0];
        int c = (int) shape[1];
        float[][] out = new float[r][c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(values, i * c, out[i], 0, c);
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HostTensor o && dtype == o.dtype && Arrays.equals(shape, o.shape)
                && Arrays.equals(values, o.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return dtype.onnxName() + Arrays.toString(shape);
    }
}
