package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * The 4-D additive attention mask {@code [batch, 1, seq, past+seq]} that Hugging Face builds from
 * the 2-D {@code attention_mask}: 0 where a query may see a key (causal and not padding), the
 * most negative float elsewhere. Built from shapes at run time, so one graph serves prefill, decode
 * and left-padded batches alike.
 *
 * <p>It is fp32 even in fp16 models and is added to scores already cast to fp32: a query row that
 * sees nothing (a left-padding position) then stays finite and uniform instead of overflowing to
 * -inf, which would turn into NaN in softmax and leak through the KV cache into real tokens.
 */
final class SpelledOutMask {
    private SpelledOutMask() {
    }

    static Value build(GraphBuilder b, DecoderIo io) {
        b.scope("/model");
        Value seq = b.gather(b.shape(io.inputIds()), b.scalar(1), 0);
        Value total = b.gather(b.shape(io.attentionMask()), b.scalar(1), 0);
        Value past = b.sub(total, seq);
        Value keyPositions = b.op("Range", List.of(b.scalar(0), total, b.scalar(1)));
        Value queryPositions = b.unsqueeze(b.op("Range", List.of(past, total, b.scalar(1))), 1);
        Value causal = b.op("LessOrEqual", List.of(keyPositions, queryPositions));
        Value notPadding = b.unsqueeze(b.cast(io.attentionMask(), DataType.BOOL), 1, 2);
        Value visible = b.op("And", List.of(causal, notPadding));
        return b.where(visible, b.scalar(0f, DataType.FLOAT), b.scalar(-Float.MAX_VALUE, DataType.FLOAT));
    }
}
