package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;

/**
 * Output {@code index} of {@code producer}. {@code value} is null when the exporter left that
 * optional output out (the final SkipSimplifiedLayerNormalization of genai builds writes no
 * residual sum); a tap can still ask the node for it.
 */
public record TensorSlot(Node producer, int index, Value value) {

    static TensorSlot of(Node producer, int index) {
        return new TensorSlot(producer, index, producer.output(index));
    }

    public String describe() {
        return value != null ? value.name() : "output " + index + " of " + producer + " (not written by the exporter)";
    }
}
