package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MismatchTest {
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
