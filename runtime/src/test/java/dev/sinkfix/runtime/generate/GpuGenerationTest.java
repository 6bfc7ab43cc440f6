package dev.sinkfix.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GpuAvailable;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Generation under the CUDA execution provider. Skipped, with the reason in the test report, where
 * this machine has no NVIDIA device or lacks the CUDA libraries; where it has both, a failure here
 * is a real failure.
 */
@Tag("gpu")
class GpuGenerationTest {
    private static final long[] PROMPT = {1, 15043, 3186, 29892, 920, 526, 366, 29973};

    @BeforeEach
    void needsCuda() {
        GpuAvailable.assume();
    }

    @Test
    void cachedGreedyOnCudaEqualsRecomputingOnCuda() throws Exception {
        List<String> warnings = new ArrayList<>();
        try (ModelSession session = Sessions.open(RealExport.model(), SessionConfig.defaults().withDevice(Device.CUDA),
                warnings::add)) {
            Generator generator = new Generator(session);
            Generation cached = generator.generate(PROMPT, GenerationConfig.greedy(12), GenerationListener.NONE);
            assertEquals(Device.CUDA, cached.provider());
            assertArrayEquals(Recompute.greedy(generator, PROMPT, 12), cached.tokens(0));
            long[] shorter = {1, 450, 4996, 17354};
            Generation batch = generator.generate(List.of(PROMPT, shorter), GenerationConfig.greedy(8),
                    GenerationListener.NONE);
            assertArrayEquals(generator.generate(shorter, GenerationConfig.greedy(8), GenerationListener.NONE).tokens(0),
                    batch.tokens(1));
        }
        assertEquals(List.of(), warnings);
    }
}
