package dev.sinkfix.runtime.generate;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs of one call. Tensors it makes are its own and are closed with it; tensors it is
 * only handed (the previous call's present state) belong to whoever made them.
 */
final class Feeds implements AutoCloseable {
    private final Map<String, OnnxTensorLike> byName = new LinkedHashMap<>();
    private final List<OnnxTensor> owned = new ArrayList<>();

    Map<String, OnnxTensorLike> map() {
        return byName;
    }

    /** A {@code [rows, columns]} integer tensor of {@code dtype} (int64 or int32). */
    void ints(String name, DataType dtype, long[][] rows) throws OrtException {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * columns];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * columns, columns);
        }
        own(name, ints(dtype, flat, new long[] {rows.length, columns}));
    }

    /** A {@code [n]} integer tensor of {@code dtype} (int64 or int32). */
    void ints(String name, DataType dtype, long[] values) throws OrtException {
        own(name, ints(dtype, values, new long[] {values.length}));
    }

    private static OnnxTensor ints(DataType dtype, long[] flat, long[] shape) throws OrtException {
        OrtEnvironment env = Sessions.environment();
        if (dtype == DataType.INT32) {
            int[] narrow = new int[flat.length];
            for (int i = 0; i < flat.length; i++) {
                narrow[i] = Math.toIntExact(flat[i]);
            }
            return OnnxTensor.createTensor(env, IntBuffer.wrap(narrow), shape);
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape);
    }

    /** A tensor of zeros (false, +0.0) of any numeric or boolean type. */
    void zeros(String name, DataType dtype, long[] shape) throws OrtException {
        own(name, zeros(dtype, shape));
    }

    static OnnxTensor zeros(DataType dtype, long[] shape) throws OrtException {
        OrtEnvironment env = Sessions.environment();
        int count = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        return switch (dtype) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.allocate(count), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.allocate(count), shape);
            case FLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.allocate(count), shape, OnnxJavaType.FLOAT16);
            case BFLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.allocate(count), shape, OnnxJavaType.BFLOAT16);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.allocate(count), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.allocate(count), shape);
            case INT16 -> OnnxTensor.createTensor(env, ShortBuffer.allocate(count), shape);
            case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.allocate(count), shape, OnnxJavaType.INT8);
            case UINT8 -> OnnxTensor.createTensor(env, ByteBuffer.allocate(count), shape, OnnxJavaType.UINT8);
            case BOOL -> OnnxTensor.createTensor(env, ByteBuffer.allocate(count), shape, OnnxJavaType.BOOL);
            default -> throw new IllegalArgumentException("cannot make zeros of element type " + dtype.onnxName());
        };
    }

    /** Feeds a tensor someone else owns. */
    void borrow(String name, OnnxTensorLike tensor) {
        byName.put(name, tensor);
    }

    /** Feeds a tensor this call owns and closes. */
    void own(String name, OnnxTensor tensor) {
        owned.add(tensor);
        byName.put(name, tensor);
    }

    @Override
    public void close() {
        owned.forEach(OnnxTensor::close);
        owned.clear();
        byName.clear();
    }
}
