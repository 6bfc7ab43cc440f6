package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * The genai builder's {@code /model/attn_mask_reformat} subgraph: the 2-D {@code attention_mask}
 * becomes a 4-D additive bias {@code [batch, 1, seq, total]} (causal part from the input_ids
 * shape, padding part from the mask, added and tiled) that every {@code MultiHeadAttention} reads.
 *
 * <p>One deliberate difference: the real builder's causal part is {@code [seq, seq]} broadcast
 * to the total length, which only works for a prefill without cache or a one-token decode. Here
 * the causal part is offset by the cache length, so a chunk of several tokens after a cache works
 * too; for the two cases the real export supports the values are identical.
 */
final class GenaiAttentionBias {
    private static final String ROOT = "/model/attn_mask_reformat";

    private GenaiAttentionBias() {
    }

    static Value build(GraphBuilder b, SampleSpec spec, DecoderIo io) {
        DataType dt = spec.dtype().dataType();
        float lowest = dt == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;

        b.scope(ROOT + "/past_key_subgraph");
        Value past = b.gather(b.shape(io.pastKeys().get(0)), b.scalar(2), 0);

        b.scope(ROOT + "/input_ids_subgraph");
        Value batch = b.gather(b.shape(io.inputIds()), b.scalar(0), 0);
        Value seq = b.gather(b.shape(io.inputIds()), b.scalar(1), 0);
        Value total = b.add(seq, past);
        Value keyPositions = b.op("Range", List.of(b.scalar(0), total, b.scalar(1)));
        Value queryPositions = b.op("Range", List.of(past, total, b.scalar(1)));
        Value queryLimit = b.reshape(b.add(queryPositions, b.scalar(1)), b.constant(-1, 1));
        Value causalVisible = b.op("Less", List.of(keyPositions, queryLimit));
        Value causal = b.where(causalVisible, b.scalar(0f, dt), b.scalar(lowest, dt));
        causal = b.unsqueeze(b.unsqueeze(causal, 0), 1);
        Value biasShape = b.concat(0, b.unsqueeze(batch, 0), b.constant(1), b.unsqueeze(seq, 0),
                b.unsqueeze(total, 0));
        causal = b.expand(causal, biasShape);

        b.scope(ROOT + "/attn_mask_subgraph");
        Value mask4 = b.unsqueeze(b.unsqueeze(io.attentionMask(), 1), 2);
        Value maskFloat = b.cast(b.expand(mask4, biasShape), dt);
        Value inverted = b.sub(b.scalar(1f, dt), maskFloat);
        Value padding = b.where(b.cast(inverted, DataType.BOOL), b.scalar(lowest, dt), inverted);

        b.scope(ROOT);
        Value bias = b.add(padding, causal);
        return b.op("Tile", List.of(bias, b.constant(1, 1, 1, 1)));
    }

    /** The int32 length inputs of {@code GroupQueryAttention}. */
    record GqaLengths(Value seqlensK, Value totalSequenceLength) {
    }

    /**
     * {@code seqlens_k} is {@code total - 1} for every row, padded or not: padding is masked by
     * the bias, and the kernel, which assumes right padding, must treat every cache slot as filled.
     */
    static GqaLengths gqaLengths(GraphBuilder b, DecoderIo io) {
        b.scope(ROOT + "/attn_mask_subgraph");
        Value maskShape = b.shape(io.attentionMask());
        Value batch = b.gather(maskShape, b.constant(0), 0);
        Value total = b.gather(maskShape, b.scalar(1), 0);
        Value lastIndex = b.expand(b.sub(total, b.scalar(1)), batch);
        return new GqaLengths(b.cast(lastIndex, DataType.INT32), b.cast(total, DataType.INT32));
    }
}
