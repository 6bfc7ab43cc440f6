package dev.sinkfix.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * Input tensors from Java arrays, and floating-point outputs back into Java. Every tensor made
 * here is the caller's to close. Half-precision conversions are ONNX Runtime's
 * {@link Fp16Conversions} (round to nearest even, subnormals, NaN and infinities kept), which
 * {@code HalfPrecisionTest} checks over every fp16 value.
 */
public final class Tensors {
    private Tensors() {}

    public static OnnxTensor int64(long[] values, long... shape) throws OrtException {
        check(values.length, shape);
        return OnnxTensor.createTensor(Sessions.environment(), LongBuffer.wrap(values), shape);
    }

    public static OnnxTensor int32(int[] values, long... shape) throws OrtException {
        check(values.length, shape);
        return OnnxTensor.createTensor(Sessions.environment(), IntBuffer.wrap(values), shape);
    }

    public static OnnxTensor fp32(float[] values, long... shape) throws OrtException {
        check(values.length, shape);
        return OnnxTensor.createTensor(Sessions.environment(), FloatBuffer.wrap(values), shape);
    }

    /** An fp16 tensor of {@code values} rounded to nearest even. */
    public static OnnxTensor fp16(float[] values, long... shape) throws OrtException {
        check(values.length, shape);
        return fp16Bits(Fp16Conversions.convertFloatBufferToFp16Buffer(FloatBuffer.wrap(values)), shape);
    }

    /** An fp16 tensor of raw IEEE half-precision bit patterns. */
    public static OnnxTensor fp16Bits(short[] bits, long... shape) throws OrtException {
        check(bits.length, shape);
        return fp16Bits(ShortBuffer.wrap(bits), shape);
    }

    /** A bf16 tensor of {@code values} rounded to nearest even. */
    public static OnnxTensor bf16(float[] values, long... shape) throws OrtException {
        check(values.length, shape);
        ShortBuffer bits = Fp16Conversions.convertFloatBufferToBf16Buffer(FloatBuffer.wrap(values));
        return OnnxTensor.createTensor(Sessions.environment(), bits, shape, OnnxJavaType.BFLOAT16);
    }

    /**
     * The project's one fp16 conversion (ONNX Runtime's: to nearest, ties to even, as numpy and
     * PyTorch round): sample weights, inputs and outputs all go through it.
     */
    public static short floatToFp16(float value) {
        return Fp16Conversions.floatToFp16(value);
    }

    /** The exact float value of a half-precision bit pattern. */
    public static float fp16ToFloat(short bits) {
        return Fp16Conversions.fp16ToFloat(bits);
    }

    /** The exact float value of a bfloat16 bit pattern. */
    public static float bf16ToFloat(short bits) {
        return Fp16Conversions.bf16ToFloat(bits);
    }

    /** A tensor of {@code dtype} (fp32, fp16 or bf16) holding {@code values}: for state in a model's own type. */
    public static OnnxTensor floating(DataType dtype, float[] values, long... shape) throws OrtException {
        return switch (dtype) {
            case FLOAT -> fp32(values, shape);
            case FLOAT16 -> fp16(values, shape);
            case BFLOAT16 -> bf16(values, shape);
            default -> throw new IllegalArgumentException(
                    "cannot make a " + dtype.onnxName() + " tensor from floats; expected float, float16 or bfloat16");
        };
    }

    /**
     * Copies a floating-point tensor (fp32, fp16, bf16 or fp64) out as fp32 values, with its shape
     * and element type: the one host tensor of the project ({@link HostTensor}).
     */
    public static HostTensor readFloats(OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalArgumentException("expected a tensor, got a " + value.getType());
        }
        TensorInfo info = tensor.getInfo();
        long[] shape = info.getShape();
        int count = Math.toIntExact(info.getNumElements());
        float[] values = new float[count];
        switch (info.type) {
            case FLOAT, FLOAT16, BFLOAT16 -> tensor.getFloatBuffer().get(values);
            case DOUBLE -> {
                double[] wide = new double[count];
                tensor.getDoubleBuffer().get(wide);
                for (int i = 0; i < count; i++) {
                    values[i] = (float) wide[i];
                }
            }
            default -> throw new IllegalArgumentException("expected a floating-point tensor, got "
                    + dataType(info).onnxName() + Arrays.toString(shape));
        }
        return new HostTensor(dataType(info), shape, values);
    }

    /**
     * The element type of a tensor. ONNX Runtime's Java enum numbers types its own way, so this
     * goes by name: {@code ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16} is {@link DataType#FLOAT16}.
     */
    static DataType dataType(TensorInfo info) {
        String name = info.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
        try {
            return DataType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return DataType.UNDEFINED;
        }
    }

    /** Elements a shape holds; the shape must be concrete. */
    static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    private static OnnxTensor fp16Bits(ShortBuffer bits, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(Sessions.environment(), bits, shape, OnnxJavaType.FLOAT16);
    }

    private static void check(int length, long[] shape) {
        long count = elementCount(shape);
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " values, got " + length);
        }
    }
}
