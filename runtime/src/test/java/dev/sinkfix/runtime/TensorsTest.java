package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorsTest {
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU);

    @TempDir
    Path dir;

    @Test
    void integerTensorsKeepTheirValuesAndShape() throws Exception {
        try (OnnxTensor ids = Tensors.int64(new long[] {1, Long.MAX_VALUE, -3, 4, 5, 6}, 2, 3);
             OnnxTensor mask = Tensors.int32(new int[] {1, 1, 0}, 3)) {
            assertEquals(OnnxJavaType.INT64, ids.getInfo().type);
            assertArrayEquals(new long[] {2, 3}, ids.getInfo().getShape());
            assertArrayEquals(new long[] {1, Long.MAX_VALUE, -3, 4, 5, 6}, ids.getLongBuffer().array());
            assertEquals(OnnxJavaType.INT32, mask.getInfo().type);
            assertArrayEquals(new int[] {1, 1, 0}, mask.getIntBuffer().array());
        }
    }

    @Test
    void halfPrecisionTensorsGoThroughASessionAndComeBackAsFloats() throws Exception {
        float[] values = {1f, -0f, 0.1f, 65504f, 70000f, Float.NEGATIVE_INFINITY, 6e-8f};
        roundTrip(TensorProto.DataType.FLOAT16, Tensors.fp16(values, values.length),
                new float[] {1f, -0f, 0.0999755859375f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Math.scalb(1f, -24)});
        roundTrip(TensorProto.DataType.BFLOAT16, Tensors.bf16(values, values.length),
                new float[] {1f, -0f, 0.10009765625f, 65536f, 70144f, Float.NEGATIVE_INFINITY, Math.scalb(129f, -31)});
        roundTrip(TensorProto.DataType.FLOAT16, Tensors.fp16Bits(new short[] {0x3c00, (short) 0xfc00, 0x0001}, 3),
                new float[] {1f, Float.NEGATIVE_INFINITY, Math.scalb(1f, -24)});
        roundTrip(TensorProto.DataType.FLOAT, Tensors.floating(DataType.FLOAT, new float[] {0.1f}, 1), new float[] {0.1f});
    }

    private void roundTrip(TensorProto.DataType type, OnnxTensor input, float[] expected) throws Exception {
        Path model = TinyModels.identity(dir, type);
        try (input;
             ModelSession session = Sessions.open(model, CPU, w -> { });
             OrtSession.Result result = session.run(Map.of("x", input))) {
            HostTensor y = Tensors.readFloats(result.get(0));
            assertArrayEquals(new long[] {expected.length}, y.shape());
            assertArrayEquals(expected, y.values(), 0f, type.name());
        }
    }

    @Test
    void aShapeThatDoesNotFitTheValuesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensors.int64(new long[] {1, 2, 3, 4, 5}, 2, 3));
        assertEquals("shape [2, 3] holds 6 values, got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensors.fp32(new float[0], -1, 0));
    }

    @Test
    void readFloatsRefusesIntegerTensors() throws Exception {
        try (OnnxTensor ids = Tensors.int64(new long[] {1, 2, 3}, 1, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensors.readFloats(ids));
            assertEquals("expected a floating-point tensor, got int64[1, 3]", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensors.floating(DataType.INT64, new float[] {1}, 1));
        assertEquals("cannot make a int64 tensor from floats; expected float, float16 or bfloat16", e.getMessage());
    }

    @Test
    void hostTensorsIndexRowMajorAndComparesByValue() {
        HostTensor data = new HostTensor(DataType.FLOAT, new long[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5});
        assertEquals(5f, data.get(1, 2));
        assertEquals(new HostTensor(DataType.FLOAT, new long[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}), data);
        assertThrows(IndexOutOfBoundsException.class, () -> data.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(DataType.FLOAT, new long[] {4}, new float[3]));
        assertEquals(List.of(2L, 3L), java.util.Arrays.stream(data.shape()).boxed().toList());
    }
}
