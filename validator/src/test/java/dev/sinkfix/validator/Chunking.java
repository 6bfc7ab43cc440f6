package dev.sinkfix.validator;

import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.surgery.match.Decoder;
import java.util.List;

/**
 * Which calls of more than one token after the first a model itself can run, so a scenario only
 * cuts a sequence in ways the unpatched model accepts. {@link ModelLimitsTest} holds the
 * original models to these limits, so a wider runtime shows up there as a failing test.
 */
enum Chunking {
    /** Any call: a prefill, chunks of any size, decode steps, any batch. */
    ANY,
    /**
     * Chunks after the first call only with one row: ONNX Runtime's CPU GroupQueryAttention says
     * "batch_size must be 1 when sequence_length > 1 and past context is given".
     */
    ONE_ROW,
    /**
     * No chunks: a prefill, then one token per call. The real genai export builds its attention
     * mask in an {@code attn_mask_reformat} subgraph that only knows those two cases.
     */
    PREFILL_THEN_DECODE;

    static Chunking of(Decoder decoder, boolean realExport) {
        if (realExport) {
            return PREFILL_THEN_DECODE;
        }
        return decoder.layers().stream().anyMatch(l -> l.attention().kind().endsWith("GroupQueryAttention"))
                ? ONE_ROW : ANY;
    }

    boolean allows(List<StepInputs> split) {
        return split.stream().allMatch(call -> call.pastLength() == 0 || call.length() == 1
                || (this == ANY || this == ONE_ROW && call.batch() == 1));
    }
}
