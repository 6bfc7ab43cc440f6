package dev.sinkfix.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation on the real onnxruntime-genai export (fp16, MultiHeadAttention, external data). */
class RealExportGenerationTest {
    private static final long[] PROMPT = {1, 15043, 3186, 29892, 920, 526, 366, 29973};
    private static ModelSession session;
    private static Generator generator;

    @BeforeAll
    static void open() throws Exception {
        session = Sessions.open(RealExport.model(), SessionConfig.defaults().withDevice(Device.CPU), w -> {});
        generator = new Generator(session);
    }

    @AfterAll
    static void close() {
        session.close();
    }

    @Test
    void findsTheKvCacheAndCanGenerate() {
        assertTrue(generator.canGenerate(), () -> generator.unavailableReason().orElse(""));
        List<String> pairs = generator.signature().states().stream().map(StatePair::toString).toList();
        assertEquals(List.of("past_key_values.0.key -> present.0.key", "past_key_values.0.value -> present.0.value",
                "past_key_values.1.key -> present.1.key", "past_key_values.1.value -> present.1.value"), pairs);
        StatePair key = generator.signature().states().get(0);
        assertEquals(0, key.batchAxis());
        assertEquals(2, key.lengthAxis());
        assertArrayEquals(new long[] {3, 1, 0, 16}, key.firstCallShape(3));
    }

    @Test
    void cachedGreedyEqualsRecomputingEveryStep() throws Exception {
        int n = 12;
        List<Long> streamed = new ArrayList<>();
        Generation cached = generator.generate(PROMPT, GenerationConfig.greedy(n),
                GenerationListener.onToken((row, token) -> streamed.add(token)));
        long[] reference = Recompute.greedy(generator, PROMPT, n);
        assertArrayEquals(reference, cached.tokens(0), "cached " + Arrays.toString(cached.tokens(0))
                + " vs recomputed " + Arrays.toString(reference));
        assertEquals(Arrays.stream(reference).boxed().toList(), streamed, "the listener hears every token in order");
        assertEquals(Generation.Finish.MAX_NEW_TOKENS, cached.finish().get(0));
        assertEquals(n - 1, cached.decodeNanos().length);
        assertTrue(cached.prefillNanos() > 0 && cached.medianDecodeNanos() > 0);
        assertEquals(Device.CPU, cached.provider());
    }

    @Test
    void leftPaddedBatchGivesEachRowWhatItGetsAlone() throws Exception {
        long[] shorter = {1, 450, 4996, 17354};
        GenerationConfig config = GenerationConfig.greedy(8).withPadToken(2);
        Generation batch = generator.generate(List.of(PROMPT, shorter), config, GenerationListener.NONE);
        assertArrayEquals(generator.generate(PROMPT, config, GenerationListener.NONE).tokens(0), batch.tokens(0));
        assertArrayEquals(generator.generate(shorter, config, GenerationListener.NONE).tokens(0), batch.tokens(1));
        assertArrayEquals(new int[] {PROMPT.length, shorter.length}, batch.promptLengths());
    }

    @Test
    void aStopTokenEndsTheRowAndIsKept() throws Exception {
        long[] free = generator.generate(PROMPT, GenerationConfig.greedy(6), GenerationListener.NONE).tokens(0);
        long stop = free[2];
        int first = 0;
        while (free[first] != stop) {
            first++;
        }
        Generation stopped = generator.generate(PROMPT, GenerationConfig.greedy(6).withStopTokens(Set.of(stop)),
                GenerationListener.NONE);
        assertArrayEquals(Arrays.copyOf(free, first + 1), stopped.tokens(0));
        assertEquals(Generation.Finish.STOP_TOKEN, stopped.finish().get(0));
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        GenerationConfig config = GenerationConfig.greedy(16).withSampling(Sampling.seeded(1.5, 50, 0.95, 42));
        long[] first = generator.generate(PROMPT, config, GenerationListener.NONE).tokens(0);
        long[] again = generator.generate(PROMPT, config, GenerationListener.NONE).tokens(0);
        assertArrayEquals(first, again);
        long[] otherSeed = generator.generate(PROMPT, config.withSampling(Sampling.seeded(1.5, 50, 0.95, 43)),
                GenerationListener.NONE).tokens(0);
        assertFalse(Arrays.equals(first, otherSeed), "another seed draws other tokens: " + Arrays.toString(first));
        long[] greedy = generator.generate(PROMPT, GenerationConfig.greedy(16), GenerationListener.NONE).tokens(0);
        assertNotEquals(Arrays.toString(greedy), Arrays.toString(first), "temperature 1.5 is not greedy");
    }
}
