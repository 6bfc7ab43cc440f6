package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;

/**
 * A point where a sublayer's output joins the residual stream: an explicit {@code Add}, or a
 * genai {@code SkipSimplifiedLayerNormalization} whose output 3 is the summed residual.
 */
record Junction(Node node, Value residual, Value sublayer, TensorSlot sum) {

    static boolean isJunctionOp(Node n) {
        return n.isStandard("Add") || isSkipNorm(n);
    }

    static boolean isSkipNorm(Node n) {
        return n.is(Domains.MICROSOFT, "SkipSimplifiedLayerNormalization") || n.is(Domains.MICROSOFT, "SkipLayerNormalization");
    }

    /** The junction at {@code n} when its input {@code sublayerIndex} (0 or 1) carries the sublayer's output. */
    static Junction at(Node n, int sublayerIndex) {
        if (!isJunctionOp(n) || sublayerIndex > 1 || n.input(0) == null || n.input(1) == null) {
            return null;
        }
        TensorSlot sum = TensorSlot.of(n, isSkipNorm(n) ? 3 : 0);
        return new Junction(n, n.input(1 - sublayerIndex), n.input(sublayerIndex), sum);
    }
}
