package dev.sinkfix.samples;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.Tensors;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * A tensor held in Java arrays between ONNX Runtime calls, so no native object outlives the
 * call that made it. fp16 keeps its raw bits: a KV cache fed back must be exactly what came out.
 */
record HostTensor(OnnxJavaType type, long[] shape, float[] floats, short[] halves, long[] longs) {

    static HostTensor ofFloats(float[] values, long... shape) {
        return new HostTensor(OnnxJavaType.FLOAT, shape, values, null, null);
    }

    static HostTensor ofHalves(short[] bits, long... shape) {
        return new HostTensor(OnnxJavaType.FLOAT16, shape, null, bits, null);
    }

    static HostTensor ofLongs(long[] values, long... shape) {
        return new HostTensor(OnnxJavaType.INT64, shape, null, null, values);
    }

    /** Rows of int64 values, {@code [rows, columns]}. */
    static HostTensor ofLongRows(long[][] rows) {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * columns];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * columns, columns);
        }
        return ofLongs(flat, rows.length, columns);
    }

    /** An empty tensor of a float type, e.g. a KV cache with no past: {@code [batch, kv, 0, hd]}. */
    static HostTensor empty(OnnxJavaType type, long... shape) {
        return type == OnnxJavaType.FLOAT16 ? ofHalves(new short[0], shape) : ofFloats(new float[0], shape);
    }

    static HostTensor from(OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        OnnxJavaType type = t.getInfo().type;
        switch (type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                return ofFloats(v, shape);
            }
            case FLOAT16 -> {
                ShortBuffer b = t.getShortBuffer();
                short[] v = new short[b.remaining()];
                b.get(v);
                return ofHalves(v, shape);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] v = new long[b.remaining()];
                b.get(v);
                return ofLongs(v, shape);
            }
            default -> throw new IllegalArgumentException("tests read float, float16 and int64 outputs, not " + type);
        }
    }

    OnnxTensor toOnnx(OrtEnvironment env) throws OrtException {
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(floats), shape);
            case FLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap(halves), shape, OnnxJavaType.FLOAT16);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(longs), shape);
            default -> throw new IllegalStateException(type.toString());
        };
    }

    /** Element {@code i} as a float, whatever the float type. */
    float floatAt(int i) {
        return type == OnnxJavaType.FLOAT16 ? Tensors.fp16ToFloat(halves[i]) : floats[i];
    }

    int size() {
        return type == OnnxJavaType.FLOAT16 ? halves.length : type == OnnxJavaType.FLOAT ? floats.length : longs.length;
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
