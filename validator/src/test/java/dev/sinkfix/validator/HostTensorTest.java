package dev.sinkfix.validator;

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

    @Test
    void messagesNameTensorRowPositionIndexAndBothValues() {
        Mismatch m = new Mismatch("/model/layers.1/mlp/up_proj/MatMul/output_0", 1, 7, "position 5", "neuron", 17,
                "original", 0.5f, "patched", 0.25f);
        String text = m.describe();
        for (String part : List.of("up_proj", "row 1", "column 7", "position 5", "neuron 17", "original 0.5",
                "patched 0.25")) {
            assertTrue(text.contains(part), text + " should contain " + part);
        }
        assertTrue(Tolerance.EXACT.accepts(-0f, 0f));
        assertTrue(Tolerance.EXACT.accepts(Float.NaN, Float.NaN));
        assertTrue(!Tolerance.EXACT.accepts(1f, Math.nextUp(1f)));
        assertTrue(new Tolerance(1e-3, 0).accepts(1f, 1.0005f));
    }
}
