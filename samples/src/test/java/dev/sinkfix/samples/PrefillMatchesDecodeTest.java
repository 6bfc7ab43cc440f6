package dev.sinkfix.samples;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A decoder is only a decoder if its KV cache is right: one prefill of the whole sequence must
 * give the same logits, and the same cache, as a prefill of a prefix followed by one-token
 * decode steps that feed {@code present.*} back as {@code past_key_values.*}.
 */
class PrefillMatchesDecodeTest {
    private static final int LENGTH = 10;
    private static final int PREFIX = 4;

    @TempDir
    Path dir;

    static java.util.stream.Stream<String> presets() {
        return SmallPresets.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void prefillEqualsPrefixPlusDecode(String preset) throws Exception {
        SampleSpec spec = Samples.preset(preset);
        Path model = Samples.write(spec, dir.resolve(preset));
        float tolerance = Tolerance.of(spec.dtype());
        long[] tokens = SmallPresets.tokens(spec, LENGTH, 7);
        try (DecoderRunner runner = new DecoderRunner(spec, model)) {
            DecoderRunner.Step full = runner.step(new long[][] {tokens}, new long[][] {SmallPresets.ones(LENGTH)},
                    new long[][] {SmallPresets.range(0, LENGTH)}, runner.emptyCache(1));

            DecoderRunner.Step step = runner.step(new long[][] {Arrays.copyOf(tokens, PREFIX)},
                    new long[][] {SmallPresets.ones(PREFIX)}, new long[][] {SmallPresets.range(0, PREFIX)},
                    runner.emptyCache(1));
            for (int t = 0; t < PREFIX; t++) {
                Tolerance.assertClose(preset + " logits at position " + t + " (prefix prefill)",
                        full.logitsAt(0, t), step.logitsAt(0, t), tolerance);
            }
            for (int t = PREFIX; t < LENGTH; t++) {
                step = runner.step(new long[][] {{tokens[t]}}, new long[][] {SmallPresets.ones(t + 1)},
                        new long[][] {{t}}, step.cache());
                Tolerance.assertClose(preset + " logits at position " + t + " (decode step)",
                        full.logitsAt(0, t), step.logitsAt(0, 0), tolerance);
            }
            for (int layer = 0; layer < spec.layers(); layer++) {
                Tolerance.assertClose(preset + " present." + layer + ".key after decoding",
                        Tolerance.floats(full.cache().keys().get(layer)),
                        Tolerance.floats(step.cache().keys().get(layer)), tolerance);
                Tolerance.assertClose(preset + " present." + layer + ".value after decoding",
                        Tolerance.floats(full.cache().values().get(layer)),
                        Tolerance.floats(step.cache().values().get(layer)), tolerance);
            }
        }
    }
}
