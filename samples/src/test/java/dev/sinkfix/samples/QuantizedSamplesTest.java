package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each quantized sample runs under ONNX Runtime and computes nearly the float sample's logits:
 * a quantizer that packed a weight wrongly (wrong nibble order, block layout or scale) gives
 * logits off by the size of the logits themselves, not by the quantization error.
 */
class QuantizedSamplesTest {
    @TempDir
    Path dir;

    /**
     * Tolerances are about twice what was measured on these samples (largest |logit| about 3.7):
     * int8 dynamic differs by at most 0.084, QDQ int8 (static scales calibrated on other tokens) by
     * 0.118, int4 (blocks of 32, 16 levels a weight, activations
     * rounded to int8 by accuracy level 4) by at most 0.48, 0.57 with zero points. That the int4 kernel computes with the
     * stored weights at all is {@link QuantizersTest}'s to show.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama-int8-dynamic, 0.2", "llama-genai-int4, 1.0", "llama-genai-int4-zp, 1.0", "llama-qdq-int8, 0.25",
        "llama-int8-dynamic-gather, 0.2", "llama-genai-int4-gather, 1.0"})
    void logitsStayCloseToTheFloatSample(String name, float tolerance) throws Exception {
        QuantizedSamples.Entry entry = QuantizedSamples.entry(name);
        SampleSpec spec = entry.baseSpec();
        long[] tokens = SmallPresets.tokens(spec, 12, 5);
        float[][] reference = logits(spec, Samples.write(entry.base(), dir.resolve("float")), tokens);
        float[][] quantized = logits(spec, Samples.write(name, dir.resolve(name)), tokens);
        float worst = 0;
        float spread = 0;
        for (int t = 0; t < tokens.length; t++) {
            for (int i = 0; i < reference[t].length; i++) {
                worst = Math.max(worst, Math.abs(reference[t][i] - quantized[t][i]));
                spread = Math.max(spread, Math.abs(reference[t][i]));
            }
        }
        System.out.printf(Locale.ROOT, "%s: largest logit difference %.5f (largest |logit| %.3f)%n", name, worst,
                spread);
        for (int t = 0; t < tokens.length; t++) {
            Tolerance.assertClose(name + " logits at position " + t, reference[t], quantized[t], tolerance);
        }
        assertTrue(worst > 0, name + " computes exactly the float logits: it is not quantized");
    }

    private static float[][] logits(SampleSpec spec, Path model, long[] tokens) throws Exception {
        try (DecoderRunner runner = new DecoderRunner(spec, model)) {
            DecoderRunner.Step step = runner.step(new long[][] {tokens}, new long[][] {SmallPresets.ones(tokens.length)},
                    new long[][] {SmallPresets.range(0, tokens.length)}, runner.emptyCache(1));
            float[][] out = new float[tokens.length][];
            for (int t = 0; t < tokens.length; t++) {
                out[t] = step.logitsAt(0, t);
            }
            return out;
        }
    }
}
