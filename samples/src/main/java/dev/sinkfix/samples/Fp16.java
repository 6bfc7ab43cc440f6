package dev.sinkfix.samples;

/**
 * IEEE 754 binary16 conversion. Java 17 has no {@code Float.floatToFloat16}; fp16 weights and
 * test inputs must round exactly as numpy and PyTorch do (to nearest, ties to even), or fp16
 * samples would differ from what a real exporter writes for the same values.
 */
public final class Fp16 {
    private Fp16() {
    }

    /** The nearest half-precision value (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7f_ffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            // Subnormal half (or zero): shift the full significand down, rounding the bits that fall off.
            int shift = 14 - halfExponent;
            if (shift > 24) {
                return (short) sign;
            }
            int significand = mantissa | 0x80_0000;
            return (short) (sign | roundShift(significand, shift));
        }
        // Rounding may carry into the exponent, and from the largest finite value into infinity: both correct.
        return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
    }

    /** The exact float value of a half-precision bit pattern. */
    public static float toFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Rounds {@code value} to a half-precision value and back: what storing it as fp16 keeps. */
    public static float round(float value) {
        return toFloat(fromFloat(value));
    }

    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int dropped = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (dropped > halfway || (dropped == halfway && (kept & 1) == 1)) {
            kept++;
        }
        return kept;
    }
}
