package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.platform.Fp16Conversions;
import org.junit.jupiter.api.Test;

/**
 * Pins ONNX Runtime's fp16 and bf16 conversions, which {@link Tensors} relies on, against exact
 * arithmetic: every one of the 65536 half values, and every rounding tie between neighbours.
 */
class HalfPrecisionTest {

    /** The exact value of a half-precision bit pattern, computed in double. */
    private static double exact(int bits) {
        int sign = bits >>> 15 & 1;
        int exponent = bits >>> 10 & 0x1f;
        int mantissa = bits & 0x3ff;
        double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24)
                : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : Math.scalb((double) (1024 + mantissa), exponent - 25);
        return sign == 1 ? -magnitude : magnitude;
    }

    private static String hex(int bits) {
        return String.format("0x%04x", bits & 0xffff);
    }

    @Test
    void everyHalfValueWidensExactlyAndNarrowsBack() {
        for (int bits = 0; bits < 65536; bits++) {
            float wide = Fp16Conversions.fp16ToFloat((short) bits);
            double want = exact(bits);
            if (Double.isNaN(want)) {
                if (!Float.isNaN(wide)) {
                    fail(hex(bits) + " is a NaN but widened to " + wide);
                }
                if (!Float.isNaN(Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(wide)))) {
                    fail(hex(bits) + ": a NaN did not stay a NaN");
                }
                continue;
            }
            if (wide != want || (Float.floatToRawIntBits(wide) >>> 31) != (bits >>> 15)) {
                fail(hex(bits) + " widened to " + wide + ", expected " + want);
            }
            int back = Fp16Conversions.floatToFp16(wide) & 0xffff;
            if (back != bits) {
                fail(hex(bits) + " widened to " + wide + " and narrowed to " + hex(back));
            }
        }
    }

    @Test
    void tiesBetweenNeighboursRoundToEvenAndAnythingElseToNearest() {
        for (int sign = 0; sign <= 0x8000; sign += 0x8000) {
            for (int bits = 0; bits < 0x7bff; bits++) {
                double low = exact(sign | bits);
                double high = exact(sign | (bits + 1));
                float tie = (float) ((low + high) / 2); // exact: a half has 11 significant bits, a float 24
                int even = (bits & 1) == 0 ? bits : bits + 1;
                assertNarrows(tie, sign | even);
                assertNarrows(Math.nextDown(Math.abs(tie)) * (sign == 0 ? 1 : -1), sign | bits);
                assertNarrows(Math.nextUp(Math.abs(tie)) * (sign == 0 ? 1 : -1), sign | (bits + 1));
            }
        }
    }

    private static void assertNarrows(float value, int expected) {
        int got = Fp16Conversions.floatToFp16(value) & 0xffff;
        if (got != expected) {
            fail(value + " narrowed to " + hex(got) + ", expected " + hex(expected));
        }
    }

    @Test
    void overflowUnderflowAndSpecialValues() {
        assertEquals(0x7bff, Fp16Conversions.floatToFp16(Math.nextDown(65520f)) & 0xffff, "largest finite");
        assertEquals(0x7c00, Fp16Conversions.floatToFp16(65520f) & 0xffff, "the tie above 65504 rounds to infinity");
        assertEquals(0x7c00, Fp16Conversions.floatToFp16(Float.MAX_VALUE) & 0xffff);
        assertEquals(0xfc00, Fp16Conversions.floatToFp16(Float.NEGATIVE_INFINITY) & 0xffff);
        assertEquals(0x0000, Fp16Conversions.floatToFp16(Math.scalb(1f, -25)) & 0xffff, "half the smallest subnormal ties to 0");
        assertEquals(0x0001, Fp16Conversions.floatToFp16(Math.nextUp(Math.scalb(1f, -25))) & 0xffff);
        assertEquals(0x8000, Fp16Conversions.floatToFp16(-Float.MIN_VALUE) & 0xffff, "negative underflow keeps the sign");
        assertTrue(Float.isNaN(Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(Float.NaN))));
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals(0x3f80, Fp16Conversions.floatToBf16(1f + Math.scalb(1f, -8)) & 0xffff, "tie rounds down to even");
        assertEquals(0x3f82, Fp16Conversions.floatToBf16(1f + Math.scalb(3f, -8)) & 0xffff, "tie rounds up to even");
        assertEquals(0x3f81, Fp16Conversions.floatToBf16(Math.nextUp(1f + Math.scalb(1f, -8))) & 0xffff);
        assertEquals(0x7f80, Fp16Conversions.floatToBf16(Float.POSITIVE_INFINITY) & 0xffff);
        assertTrue(Float.isNaN(Fp16Conversions.bf16ToFloat(Fp16Conversions.floatToBf16(Float.NaN))));
        for (int bits = 0; bits < 65536; bits++) {
            float wide = Fp16Conversions.bf16ToFloat((short) bits);
            assertEquals(Float.intBitsToFloat(bits << 16), wide, 0f);
            if (!Float.isNaN(wide)) {
                assertEquals(bits, Fp16Conversions.floatToBf16(wide) & 0xffff);
            }
        }
    }
}
