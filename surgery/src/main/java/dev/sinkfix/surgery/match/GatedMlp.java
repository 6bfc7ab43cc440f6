package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.DataType;
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

    /**
     * The element type of {@code site}, from the projection that computes it where the graph
     * declares none: a float type, or the integer type of a quantized projection's accumulator
     * that was never rescaled (which a patch must refuse).
     */
    public DataType siteType(MlpSite site) {
        Value v = site(site);
        if (v.dtype() != DataType.UNDEFINED) {
            return v.dtype();
        }
        return switch (site) {
            case UP, ACT -> up.dtype();
            case GATE -> gate.dtype();
        };
    }

    public long intermediateSize() {
        return up.outFeatures();
    }
}
