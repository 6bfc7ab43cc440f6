package dev.sinkfix.samples;

/**
 * Rotary cos/sin tables indexed by position, computed in double and rounded once, as Hugging
 * Face's cached tables are. Exporters store them in two widths: TorchScript exports gather rows
 * of {@code cat(freqs, freqs)} ({@code [maxPositions, headDim]}); the genai builder's
 * {@code RotaryEmbedding} reads half rows ({@code [maxPositions, headDim/2]}).
 */
final class RotaryTables {
    private RotaryTables() {
    }

    static float[] cos(SampleSpec spec, boolean fullWidth) {
        return table(spec, fullWidth, true);
    }

    static float[] sin(SampleSpec spec, boolean fullWidth) {
        return table(spec, fullWidth, false);
    }

    private static float[] table(SampleSpec spec, boolean fullWidth, boolean cos) {
        int half = spec.headDim() / 2;
        int width = fullWidth ? 2 * half : half;
        float[] t = new float[spec.maxPositions() * width];
        for (int p = 0; p < spec.maxPositions(); p++) {
            for (int i = 0; i < half; i++) {
                // Hugging Face computes inv_freq in fp32, then position * inv_freq in fp32.
                float invFreq = (float) (1.0 / Math.pow(spec.ropeTheta(), (2.0 * i) / (2 * half)));
                float angle = (float) p * invFreq;
                float v = (float) (cos ? Math.cos(angle) : Math.sin(angle));
                t[p * width + i] = v;
                if (fullWidth) {
                    t[p * width + half + i] = v;
                }
            }
        }
        return t;
    }
}
