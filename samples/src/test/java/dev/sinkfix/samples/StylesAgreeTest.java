package dev.sinkfix.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The styles of one family and dtype share their weights, so they must compute the same logits:
 * three independent writings of the math (spelled-out rotary and attention, contrib
 * RotaryEmbedding with MultiHeadAttention or GroupQueryAttention, Gemm MLPs) check one another.
 */
class StylesAgreeTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"LLAMA, FP32", "LLAMA, FP16", "MISTRAL, FP32", "MISTRAL, FP16"})
    void everyStyleComputesTheSameLogits(Family family, Precision dtype) throws Exception {
        List<String> presets = new ArrayList<>();
        for (ExportStyle style : ExportStyle.values()) {
            String name = Samples.presetName(family, style, dtype);
            if (Samples.presetNames().contains(name)) {
                presets.add(name);
            }
        }
        SampleSpec first = Samples.preset(presets.get(0));
        long[] tokens = SmallPresets.tokens(first, 8, 21);
        float[][] reference = null;
        for (String preset : presets) {
            SampleSpec spec = Samples.preset(preset);
            try (DecoderRunner runner = new DecoderRunner(spec, Samples.write(spec, dir.resolve(preset)))) {
                DecoderRunner.Step step = runner.step(new long[][] {tokens},
                        new long[][] {SmallPresets.ones(tokens.length)},
                        new long[][] {SmallPresets.range(0, tokens.length)}, runner.emptyCache(1));
                float[][] logits = new float[tokens.length][];
                for (int t = 0; t < tokens.length; t++) {
                    logits[t] = step.logitsAt(0, t);
                }
                if (reference == null) {
                    reference = logits;
                    continue;
                }
                for (int t = 0; t < tokens.length; t++) {
                    Tolerance.assertClose(preset + " logits at position " + t + " against " + presets.get(0),
                            reference[t], logits[t], Tolerance.of(dtype));
                }
            }
        }
    }
}
