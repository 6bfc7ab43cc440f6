package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinkfix.runtime.HostTensor;

/**
 * Comparisons with an explicit absolute tolerance per dtype; a failure names the tensor, the
 * position and both values, so a broken sample says where it broke.
 */
final class Tolerance {
    private Tolerance() {
    }

    /** fp32: reordered sums only; fp16: activations rounded to 11 bits along the way. */
    static float of(Precision dtype) {
        return dtype == Precision.FP16 ? 2e-2f : 1e-4f;
    }

    static void assertClose(String what, float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length, what + ": length");
        int worst = -1;
        float worstDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            float diff = Math.abs(expected[i] - actual[i]);
            if (!(diff <= tolerance) && (worst < 0 || diff > worstDiff || Float.isNaN(diff))) {
                worst = i;
                worstDiff = diff;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " expected " + expected[worst] + " but was " + actual[worst]
                    + " (difference " + worstDiff + " > tolerance " + tolerance + ")");
        }
    }

    static float[] floats(HostTensor t) {
        return t.values();
    }
}
