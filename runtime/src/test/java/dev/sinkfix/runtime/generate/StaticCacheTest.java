package dev.sinkfix.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cache protocol the generator does not know: refused with a reason, one full pass still runs. */
class StaticCacheTest {
    @TempDir
    Path dir;

    @Test
    void refusesToGenerateAndSaysWhy() throws Exception {
        try (ModelSession session = open()) {
            Generator generator = new Generator(session);
            assertFalse(generator.canGenerate());
            String reason = generator.unavailableReason().orElseThrow();
            assertTrue(reason.startsWith("generation is not available for this model: "), reason);
            assertTrue(reason.contains("input cache_position int64[sequence_length] is not one it can fill between steps"),
                    reason);
            assertEquals(List.of("past_key_values.0.key -> present.0.key"),
                    generator.signature().states().stream().map(StatePair::toString).toList(),
                    "the fixed-size cache still pairs up");
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> generator.generate(new long[] {1, 2}, GenerationConfig.greedy(3), GenerationListener.NONE));
            assertEquals(reason, refused.getMessage());
        }
    }

    @Test
    void runsOneFullPassWithTheWriteIndicesGuessed() throws Exception {
        try (ModelSession session = open()) {
            FullPass pass = new Generator(session).fullPass(new long[] {0, 3, 4});
            assertEquals(5, pass.nextToken(), "token 4 scores 5 highest");
            assertEquals(2f + 1f, pass.scores()[5], 0f, "cache_position fed as 0..2: the last position adds 2");
            assertEquals(List.of("cache_position: 0..2 (the positions of a first call)"), pass.guesses());
            assertEquals(Device.CPU, pass.provider());
        }
    }

    private ModelSession open() throws Exception {
        return Sessions.open(StaticCacheModel.write(dir), SessionConfig.defaults().withDevice(Device.CPU), w -> {});
    }
}
