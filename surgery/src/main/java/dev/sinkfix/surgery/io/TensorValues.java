package dev.sinkfix.surgery.io;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The values of one floating-point tensor, as fp32: inline bytes are decoded where they lie (the
 * model file is mapped), external data is checked again and only this tensor's byte range of its
 * file is mapped. Nothing else of the model is read, so one weight of a 13 GB export costs the
 * bytes of that weight.
 */
public final class TensorValues {
    private TensorValues() {
    }

    /** {@code baseDir} is the folder external locations are relative to (null for a model built in memory). */
    public static float[] read(Tensor tensor, Path baseDir) throws IOException {
        DataType dtype = tensor.dtype();
        String what = "tensor '" + tensor.name() + "'";
        if (dtype != DataType.FLOAT && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16
                && dtype != DataType.DOUBLE) {
            throw new BadInputException(what + " holds " + dtype.onnxName() + " values; expected a float, "
                    + "float16, bfloat16 or double weight");
        }
        long count = tensor.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new BadInputException(what + " has " + count + " elements, more than one array can hold");
        }
        int n = (int) count;
        TensorProto proto = tensor.proto();
        if (tensor.isExternal()) {
            if (baseDir == null) {
                throw new BadInputException(what + " has external data, and the model has no folder to find it in");
            }
            ExternalDataCheck.verifyTensor(proto, baseDir);
            Tensor.ExternalRef ref = tensor.external();
            long offset = ref.offset() == null ? 0 : Long.parseLong(ref.offset().trim());
            long bytes = dtype.byteSize(count);
            try (FileChannel channel = FileChannel.open(baseDir.resolve(ref.location()), StandardOpenOption.READ)) {
                return decode(channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes), dtype, n);
            }
        }
        ByteString raw = proto.getRawData();
        if (!raw.isEmpty()) {
            if (raw.size() != dtype.byteSize(count)) {
                throw new BadInputException(what + " has " + raw.size() + " bytes of data; its type "
                        + tensor.type() + " needs " + dtype.byteSize(count));
            }
            return decode(raw.asReadOnlyByteBuffer(), dtype, n);
        }
        float[] out = new float[n];
        int given = switch (dtype) {
            case FLOAT -> proto.getFloatDataCount();
            case DOUBLE -> proto.getDoubleDataCount();
            default -> proto.getInt32DataCount();
        };
        if (given != n) {
            throw new BadInputException(what + " holds " + given + " values; its type " + tensor.type() + " needs " + n);
        }
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case FLOAT -> proto.getFloatData(i);
                case DOUBLE -> (float) proto.getDoubleData(i);
                case FLOAT16 -> halfToFloat((short) proto.getInt32Data(i));
                default -> Float.intBitsToFloat(proto.getInt32Data(i) << 16);
            };
        }
        return out;
    }

    private static float[] decode(ByteBuffer bytes, DataType dtype, int n) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        switch (dtype) {
            case FLOAT -> b.asFloatBuffer().get(out);
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
        }
        return out;
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign != 0 ? -subnormal : subnormal;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
