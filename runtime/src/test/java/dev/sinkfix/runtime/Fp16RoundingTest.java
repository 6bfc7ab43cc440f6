package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The one fp16 conversion rounds as numpy and PyTorch do (it writes the samples' fp16 weights). */
class Fp16RoundingTest {

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = Tensors.fp16ToFloat(h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Tensors.fp16ToFloat(Tensors.floatToFp16(f))), "NaN " + Integer.toHexString(bits));
            } else {
                assertEquals(bits, Tensors.floatToFp16(f) & 0xffff, "half 0x" + Integer.toHexString(bits) + " = " + f);
            }
        }
    }

    @Test
    void knownValues() {
        assertEquals(0x3c00, Tensors.floatToFp16(1f) & 0xffff);
        assertEquals(0xc000, Tensors.floatToFp16(-2f) & 0xffff);
        assertEquals(0x7bff, Tensors.floatToFp16(65504f) & 0xffff, "largest finite");
        assertEquals(0x7c00, Tensors.floatToFp16(65520f) & 0xffff, "halfway past the largest rounds to infinity");
        assertEquals(0x7bff, Tensors.floatToFp16(65519.99f) & 0xffff);
        assertEquals(0x0001, Tensors.floatToFp16(0x1p-24f) & 0xffff, "smallest subnormal");
        assertEquals(0x0000, Tensors.floatToFp16(0x1p-25f) & 0xffff, "half of it ties to even zero");
        assertEquals(0x0001, Tensors.floatToFp16(0x1.8p-25f) & 0xffff);
        assertEquals(0x8000, Tensors.floatToFp16(-0f) & 0xffff);
        assertEquals(0x3c00, Tensors.floatToFp16(1f + 0x1p-11f) & 0xffff, "tie rounds to even (down)");
        assertEquals(0x3c02, Tensors.floatToFp16(1f + 3 * 0x1p-11f) & 0xffff, "tie rounds to even (up)");
        assertEquals(0x0400, Tensors.floatToFp16(0x1.ffcp-15f) & 0xffff, "subnormal rounding carries into the smallest normal");
    }

    /** Against a brute-force nearest-value search over the neighbours, ties to the even pattern. */
    @Test
    void roundsToNearestEven() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(f) || Math.abs(f) > 65504f) {
                continue;
            }
            int got = Tensors.floatToFp16(f) & 0xffff;
            double gotDistance = Math.abs((double) Tensors.fp16ToFloat((short) got) - f);
            for (int neighbour : new int[] {got - 1, got + 1}) {
                if (neighbour < 0 || ((neighbour ^ got) & 0x8000) != 0 || (neighbour & 0x7c00) == 0x7c00) {
                    continue;
                }
                double d = Math.abs((double) Tensors.fp16ToFloat((short) neighbour) - f);
                assertTrue(d > gotDistance || (d == gotDistance && (got & 1) == 0),
                        f + " rounded to 0x" + Integer.toHexString(got) + " but 0x" + Integer.toHexString(neighbour)
                                + " is at least as near");
            }
        }
    }
}
