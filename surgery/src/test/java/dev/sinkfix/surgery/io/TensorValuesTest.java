package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorValuesTest {
    @TempDir
    Path tmp;

    @Test
    void readsInlineRawAndTypedFields() throws Exception {
        float[] values = {1.5f, -2f, 0f, 1e-3f, 65504f, -0.25f};
        assertArrayEquals(values, TensorValues.read(Tensor.ofRaw("w", DataType.FLOAT, new long[] {2, 3}, raw(values)), null));
        TensorProto.Builder typed = TensorProto.newBuilder().setName("t").setDataType(DataType.FLOAT.code())
                .addDims(2).addDims(3);
        for (float v : values) {
            typed.addFloatData(v);
        }
        assertArrayEquals(values, TensorValues.read(new Tensor(typed.build()), null));
    }

    @Test
    void readsOnlyItsOwnRangeOfAnExternalFp16File() throws Exception {
        // fp16 bits of 1, -2, 0.5, 65504 and the smallest subnormal, after 6 bytes of another tensor.
        short[] halves = {0x3c00, (short) 0xc000, 0x3800, 0x7bff, 0x0001};
        ByteBuffer b = ByteBuffer.allocate(6 + halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {9, 9, 9, 9, 9, 9});
        for (short h : halves) {
            b.putShort(h);
        }
        Files.write(tmp.resolve("w.data"), b.array());
        Tensor t = Tensor.ofExternal("w", DataType.FLOAT16, new long[] {halves.length}, "w.data", 6, halves.length * 2);
        assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f, 0x1p-24f}, TensorValues.read(t, tmp));
    }

    @Test
    void refusesWhatTheModelCheckRefuses() throws Exception {
        Files.write(tmp.resolve("short.data"), new byte[8]);
        Tensor pastTheEnd = Tensor.ofExternal("w", DataType.FLOAT, new long[] {4}, "short.data", 0, 16);
        BadInputException e = assertThrows(BadInputException.class, () -> TensorValues.read(pastTheEnd, tmp));
        assertTrue(e.getMessage().contains("ends past the end"), e.getMessage());
        Tensor escaping = Tensor.ofExternal("w", DataType.FLOAT, new long[] {1}, "../outside.data", 0, 4);
        assertTrue(assertThrows(BadInputException.class, () -> TensorValues.read(escaping, tmp)).getMessage()
                .contains("leaves the model's folder"));
        Tensor ints = Tensor.ofRaw("i", DataType.INT8, new long[] {2}, ByteString.copyFrom(new byte[2]));
        assertEquals("tensor 'i' holds int8 values; expected a float, float16, bfloat16 or double weight",
                assertThrows(BadInputException.class, () -> TensorValues.read(ints, tmp)).getMessage());
    }

    private static ByteString raw(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return ByteString.copyFrom(b.array());
    }
}
