package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;

/**
 * The attention of one layer. {@code core} is the fused operator or the Softmax;
 * {@code probabilities} is the Softmax output when attention is spelled out, and null with
 * {@code whyNoProbabilities} when a fused operator never materialises it.
 */
public record AttentionBlock(String kind, Node core, Value probabilities, String whyNoProbabilities,
                             long heads, long kvHeads) {

    public boolean isFused() {
        return probabilities == null;
    }
}
