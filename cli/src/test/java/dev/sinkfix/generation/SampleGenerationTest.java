package dev.sinkfix.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.Generation;
import dev.sinkfix.runtime.generate.GenerationConfig;
import dev.sinkfix.runtime.generate.GenerationListener;
import dev.sinkfix.runtime.generate.Generator;
import dev.sinkfix.runtime.generate.Sampling;
import dev.sinkfix.runtime.generate.StatePair;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generator on every small sample (all but {@code mid}), in real ONNX Runtime CPU sessions.
 * These tests live in the cli module because samples depends on runtime: runtime's own tests
 * cannot build a sample. The reference is decoding that recomputes the whole sequence with an
 * empty past at every step ({@link Generator#fullPass}), so nothing cached can hide in it.
 */
class SampleGenerationTest {
    private static final int NEW_TOKENS = 10;
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU);

    @TempDir
    Path dir;

    static Stream<String> presets() {
        return Samples.presetNames().stream().filter(n -> !n.equals("mid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void cachedGreedyEqualsRecomputingEveryStep(String preset) throws Exception {
        Path model = Samples.write(preset, dir.resolve(preset));
        long[] prompt = prompt(7, 11);
        try (ModelSession session = Sessions.open(model, CPU, w -> {})) {
            Generator generator = new Generator(session);
            assertTrue(generator.canGenerate(), () -> generator.unavailableReason().orElse(""));
            assertEquals(2 * Samples.preset(preset).layers(), generator.signature().states().size());
            long[] cached = generator.generate(prompt, GenerationConfig.greedy(NEW_TOKENS), GenerationListener.NONE)
                    .tokens(0);
            assertArrayEquals(recompute(generator, prompt, NEW_TOKENS), cached, preset + ": " + Arrays.toString(cached));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void patchedSampleThreadsItsSinkState(String preset) throws Exception {
        Path model = Samples.write(preset, dir.resolve(preset));
        Path patched = patch(model);
        long[] prompt = prompt(6, 12);
        long[] bosOnly = {1};
        try (ModelSession session = Sessions.open(patched, CPU, w -> {});
             ModelSession original = Sessions.open(model, CPU, w -> {})) {
            Generator generator = new Generator(session);
            StatePair sink = generator.signature().states().stream()
                    .filter(p -> p.past().name().equals("past_sink_state.1")).findFirst().orElseThrow();
            assertEquals("present_sink_state.1", sink.present().name());
            assertEquals(-1, sink.lengthAxis(), "the sink state does not grow");
            for (long[] p : List.of(prompt, bosOnly)) {
                long[] cached = generator.generate(p, GenerationConfig.greedy(NEW_TOKENS), GenerationListener.NONE)
                        .tokens(0);
                assertArrayEquals(recompute(generator, p, NEW_TOKENS), cached,
                        preset + " patched, prompt of " + p.length + ": " + Arrays.toString(cached));
            }
            long[] unpatched = new Generator(original).generate(prompt, GenerationConfig.greedy(NEW_TOKENS),
                    GenerationListener.NONE).tokens(0);
            long[] pinned = generator.generate(prompt, GenerationConfig.greedy(NEW_TOKENS), GenerationListener.NONE)
                    .tokens(0);
            assertFalse(Arrays.equals(unpatched, pinned),
                    preset + ": pinning half the neurons changes what the model says, so the state matters");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void leftPaddedBatchGivesEachRowWhatItGetsAlone(String preset) throws Exception {
        Path model = Samples.write(preset, dir.resolve(preset));
        long[] longer = prompt(9, 21);
        long[] shorter = prompt(4, 22);
        GenerationConfig config = GenerationConfig.greedy(6);
        try (ModelSession session = Sessions.open(model, CPU, w -> {})) {
            Generator generator = new Generator(session);
            Generation batch = generator.generate(List.of(shorter, longer), config, GenerationListener.NONE);
            assertArrayEquals(generator.generate(shorter, config, GenerationListener.NONE).tokens(0), batch.tokens(0),
                    preset + ": the padded row");
            assertArrayEquals(generator.generate(longer, config, GenerationListener.NONE).tokens(0), batch.tokens(1),
                    preset + ": the full row");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void seededSamplingIsReproducible(String preset) throws Exception {
        Path model = Samples.write(preset, dir.resolve(preset));
        GenerationConfig config = GenerationConfig.greedy(12).withSampling(Sampling.seeded(1.2, 40, 0.9, 2024));
        try (ModelSession session = Sessions.open(model, CPU, w -> {})) {
            Generator generator = new Generator(session);
            long[] first = generator.generate(prompt(5, 31), config, GenerationListener.NONE).tokens(0);
            assertArrayEquals(first, generator.generate(prompt(5, 31), config, GenerationListener.NONE).tokens(0));
        }
    }

    /** BoS 1, then seeded ids of the samples' 256-token vocabulary. */
    static long[] prompt(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[length];
        ids[0] = 1;
        for (int i = 1; i < length; i++) {
            ids[i] = 3 + random.nextInt(253);
        }
        return ids;
    }

    static long[] recompute(Generator generator, long[] prompt, int newTokens) throws Exception {
        long[] sequence = prompt.clone();
        for (int i = 0; i < newTokens; i++) {
            long next = generator.fullPass(sequence).nextToken();
            sequence = Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = next;
        }
        return Arrays.copyOfRange(sequence, prompt.length, sequence.length);
    }

    /** Layer 1, neurons 0 to 87 of the samples' 176: enough that pinning them changes the tokens. */
    private static Path patch(Path model) throws Exception {
        Model loaded = ModelLoader.load(model);
        List<Integer> neurons = IntStream.range(0, 88).boxed().toList();
        SinkPatch.apply(loaded, DecoderMatcher.match(loaded), List.of(new SinkSpec(1, neurons, MlpSite.UP, 1)), "test");
        Path out = model.resolveSibling("model.sinkfix.onnx");
        ModelSaver.create().save(loaded, out);
        return out;
    }
}
