package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import dev.sinkfix.surgery.ir.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostTensorTest {

    @Test
    void concatJoinsStepsAlongTheTokenAxis() {
        HostTensor a = new HostTensor(DataType.FLOAT, new long[] {2, 1, 2}, new float[] {1, 2, 5, 6});
        HostTensor b = new HostTensor(DataType.FLOAT, new long[] {2, 2, 2}, new float[] {3, 4, 3.5f, 4.5f, 7, 8, 7.5f, 8.5f});
        HostTensor joined = HostTensor.concat(1, List.of(a, b));
        assertArrayEquals(new long[] {2, 3, 2}, joined.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 3.5f, 4.5f, 5, 6, 7, 8, 7.5f, 8.5f}, joined.values());
        assertEquals(7.5f, joined.get(1, 2, 0));
    }

    /** A state or cache fed back must be bit for bit what came out, fp16 included. */
    @Test
    void halfPrecisionValuesSurviveTheRoundTrip() throws Exception {
        float[] values = {0f, -0f, 1f / 3, 65504f, -6.1035156e-5f, 5.9604645e-8f, 1234.5f, Float.NEGATIVE_INFINITY};
        HostTensor t = new HostTensor(DataType.FLOAT16, new long[] {2, 4}, values);
        try (OnnxTensor native1 = t.toOnnx()) {
            HostTensor once = HostTensor.read(native1);
            try (OnnxTensor native2 = once.toOnnx()) {
                HostTensor twice = HostTensor.read(native2);
                assertEquals(DataType.FLOAT16, once.dtype());
                assertEquals(once, twice);
                for (int i = 0; i < values.length; i++) {
                    assertEquals(Float.floatToIntBits(once.values()[i]), Float.floatToIntBits(twice.values()[i]));
                }
            }
        }
    }
}
