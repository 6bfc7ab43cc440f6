package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.samples.Samples;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The splits {@link PatchInvariantsTest} leaves out, it leaves out because the unpatched model
 * cannot run them, not because of the patch: the original models refuse exactly those calls and
 * run the rest. If a runtime or export learns to run them, this fails and {@link Chunking} can
 * be widened.
 */
class ModelLimitsTest {
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU).withIntraOpThreads(1);

    @TempDir
    Path dir;

    @Test
    void theRealExportRunsAPrefillThenSingleTokensButNoChunk() throws Exception {
        Path model = SourceModels.realFolder().resolve("model.onnx");
        try (ModelSession s = Sessions.open(model, CPU.withOptimization(GraphOptimization.BASIC), w -> { })) {
            PaddedBatch batch = Scenario.RANDOM_PROMPT.batch(32_000);
            assertDoesNotThrow(() -> runAll(s, batch.prefillThenDecode(4)));
            List<StepInputs> chunked = batch.chunks(1, 5, 6);
            assertEquals(Chunking.PREFILL_THEN_DECODE.allows(chunked), false);
            OrtException e = assertThrows(OrtException.class, () -> runAll(s, chunked));
            assertTrue(e.getMessage().contains("attn_mask_reformat"), e.getMessage());
        }
    }

    @Test
    void groupQueryAttentionRunsChunksOfOneRowOnly() throws Exception {
        Path model = Samples.write("mistral-genai-fp32", dir.resolve("mistral-genai-fp32"));
        try (ModelSession s = Sessions.open(model, CPU.withOptimization(GraphOptimization.DISABLE), w -> { })) {
            PaddedBatch one = Scenario.RANDOM_PROMPT.batch(256);
            assertDoesNotThrow(() -> runAll(s, one.chunks(1, 5, 3, 1, 1, 1)));
            PaddedBatch two = Scenario.LEFT_PADDED_PAIR.batch(256);
            assertDoesNotThrow(() -> runAll(s, two.prefillThenDecode(7)));
            List<StepInputs> chunked = two.chunks(6, 4, 6);
            assertEquals(Chunking.ONE_ROW.allows(chunked), false);
            OrtException e = assertThrows(OrtException.class, () -> runAll(s, chunked));
            assertTrue(e.getMessage().contains("batch_size must be 1 when sequence_length > 1"), e.getMessage());
        }
    }

    private static void runAll(ModelSession session, List<StepInputs> calls) throws OrtException {
        Stepper stepper = new Stepper(session, calls.get(0).batch());
        for (StepInputs call : calls) {
            stepper.step(call);
        }
    }
}
