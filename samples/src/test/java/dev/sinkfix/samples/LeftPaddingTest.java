package dev.sinkfix.samples;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batched generation pads short prompts on the left. Each real token of the short row must get
 * the logits it gets when that row runs alone (attention_mask 0 on the padding, position ids
 * counted from the first real token as Hugging Face does), in the prefill and in the decode step
 * that follows it, whose cache still holds the padding.
 */
class LeftPaddingTest {
    private static final int LONG = 10;
    private static final int SHORT = 6;
    private static final int PAD = LONG - SHORT;

    @TempDir
    Path dir;

    static Stream<String> presets() {
        return SmallPresets.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void paddedRowMatchesTheRowAlone(String preset) throws Exception {
        SampleSpec spec = Samples.preset(preset);
        Path model = Samples.write(spec, dir.resolve(preset));
        float tolerance = Tolerance.of(spec.dtype());
        long[] longRow = SmallPresets.tokens(spec, LONG, 11);
        long[] shortRow = SmallPresets.tokens(spec, SHORT, 12);
        long[] paddedRow = new long[LONG];
        System.arraycopy(shortRow, 0, paddedRow, PAD, SHORT);
        long[] paddedMask = new long[LONG];
        Arrays.fill(paddedMask, PAD, LONG, 1);
        // Hugging Face: position_ids = cumsum(mask) - 1, with padding positions set to 1.
        long[] paddedPositions = new long[LONG];
        for (int i = 0; i < LONG; i++) {
            paddedPositions[i] = i < PAD ? 1 : i - PAD;
        }
        long nextLong = 3;
        long nextShort = 5;

        try (DecoderRunner runner = new DecoderRunner(spec, model)) {
            DecoderRunner.Step alone = runner.step(new long[][] {shortRow}, new long[][] {SmallPresets.ones(SHORT)},
                    new long[][] {SmallPresets.range(0, SHORT)}, runner.emptyCache(1));
            DecoderRunner.Step longAlone = runner.step(new long[][] {longRow}, new long[][] {SmallPresets.ones(LONG)},
                    new long[][] {SmallPresets.range(0, LONG)}, runner.emptyCache(1));
            DecoderRunner.Step batch = runner.step(new long[][] {longRow, paddedRow},
                    new long[][] {SmallPresets.ones(LONG), paddedMask},
                    new long[][] {SmallPresets.range(0, LONG), paddedPositions}, runner.emptyCache(2));
            for (int t = 0; t < SHORT; t++) {
                Tolerance.assertClose(preset + " logits of the padded row at position " + (PAD + t)
                        + " (token " + t + " alone)", alone.logitsAt(0, t), batch.logitsAt(1, PAD + t), tolerance);
            }
            for (int t = 0; t < LONG; t++) {
                Tolerance.assertClose(preset + " logits of the unpadded row at position " + t,
                        longAlone.logitsAt(0, t), batch.logitsAt(0, t), tolerance);
            }

            DecoderRunner.Step aloneNext = runner.step(new long[][] {{nextShort}},
                    new long[][] {SmallPresets.ones(SHORT + 1)}, new long[][] {{SHORT}}, alone.cache());
            long[] grownMask = Arrays.copyOf(paddedMask, LONG + 1);
            grownMask[LONG] = 1;
            DecoderRunner.Step batchNext = runner.step(new long[][] {{nextLong}, {nextShort}},
                    new long[][] {SmallPresets.ones(LONG + 1), grownMask}, new long[][] {{LONG}, {SHORT}},
                    batch.cache());
            Tolerance.assertClose(preset + " logits of the padded row's first decode step",
                    aloneNext.logitsAt(0, 0), batchNext.logitsAt(1, 0), tolerance);
        }
    }
}
