package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;

/** One Llama MLP, {@code down(act(gate(x)) * up(x))}, found by its shape rather than its names. */
public record GatedMlp(Linear gate, Linear up, Node product, Linear down) {

    /** The activation the patch replaces for {@code site}. */
    public Value site(MlpSite site) {
        return switch (site) {
            case UP -> up.output();
            case GATE -> gate.output();
            case ACT -> product.output(0);
        };
    }

    public long intermediateSize() {
        return up.outFeatures();
    }
}
