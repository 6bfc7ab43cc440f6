package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.Linear;
import dev.sinkfix.surgery.match.MlpSite;

/**
 * A site whose tensor is not a float activation: the integer accumulator of a quantized
 * projection that the graph never rescales (or rescales somewhere the matcher cannot follow).
 * Its values are not the activation's, so pinning or tapping them would be silently wrong.
 */
final class QuantizedSite {
    private QuantizedSite() {
    }

    /** Refuses a site tap of a site whose element type is known and not floating-point. */
    static void requireFloat(DecoderLayer layer, MlpSite site) {
        DataType t = layer.mlp().siteType(site);
        if (t != DataType.UNDEFINED && !t.isFloatingPoint()) {
            throw new BadInputException("the " + site.cliName() + " site of layer " + layer.index()
                    + " has element type " + t.onnxName() + explain(layer, site)
                    + "; a tap reads float activations only");
        }
    }

    /** " (the output of ..., a quantized projection ...)" where the projection says why, else "". */
    static String explain(DecoderLayer layer, MlpSite site) {
        Linear l = site == MlpSite.GATE ? layer.mlp().gate() : layer.mlp().up();
        if (l.dtype().isFloatingPoint()) {
            return "";
        }
        return " (it comes from " + l.node() + ", " + l.form() + ": integer values, not the activation)";
    }
}
