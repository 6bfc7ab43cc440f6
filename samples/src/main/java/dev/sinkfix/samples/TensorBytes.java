package dev.sinkfix.samples;

import ai.onnxruntime.platform.Fp16Conversions;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Raw tensor bytes as ONNX stores them: little-endian, densely packed, whatever the host order. */
public final class TensorBytes {
    private TensorBytes() {
    }

    /** Floats as fp32 or (rounded to nearest even) fp16 raw data. */
    public static ByteString floats(float[] values, DataType dtype) {
        ByteBuffer b;
        if (dtype == DataType.FLOAT) {
            b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
        } else if (dtype == DataType.FLOAT16) {
            b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort(Fp16Conversions.floatToFp16(v));
            }
            b.flip();
        } else {
            throw new IllegalArgumentException("floats can be stored as float or float16, not " + dtype.onnxName());
        }
        // The array is fresh and never written again: wrapping it saves a copy of every weight.
        return UnsafeByteOperations.unsafeWrap(b.array());
    }

    public static ByteString longs(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return UnsafeByteOperations.unsafeWrap(b.array());
    }
}
