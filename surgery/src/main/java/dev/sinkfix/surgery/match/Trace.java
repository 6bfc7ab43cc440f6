package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;

/** Small walks along the graph that look through operators that do not change meaning (casts, identities). */
final class Trace {
    private Trace() {
    }

    static boolean isPassThrough(Node n) {
        return n.isStandard("Cast") || n.isStandard("Identity");
    }

    /** Follows {@code v} back through casts and identities to the value that carries the meaning. */
    static Value back(Value v) {
        for (int i = 0; v != null && i < 8; i++) {
            Value unrounded = QdqPair.floatBefore(v);
            if (unrounded != v) {
                v = unrounded;
                continue;
            }
            Node p = v.producer();
            if (p == null || !isPassThrough(p)) {
                return v;
            }
            v = p.input(0);
        }
        return v;
    }

    /** Casts, identities and pure re-shapes: a flattened {@code Gemm} MLP reaches its residual through a Reshape. */
    static boolean isLayoutOnly(Node n) {
        return isPassThrough(n) || n.isStandard("Reshape") || n.isStandard("Flatten")
                || n.isStandard("Squeeze") || n.isStandard("Unsqueeze");
    }

    /**
     * The single node that reads {@code v} once casts, identities and re-shapes are looked
     * through, or null when several nodes read it or none does.
     */
    static Use forwardSingle(Value v) {
        for (int i = 0; v != null && i < 8; i++) {
            if (v.uses().size() != 1) {
                return null;
            }
            Use u = v.uses().get(0);
            Value unrounded = QdqPair.floatAfter(u);
            if (unrounded != null) {
                v = unrounded;
                continue;
            }
            if (!isLayoutOnly(u.node()) || u.index() != 0) {
                return u;
            }
            v = u.node().output(0);
        }
        return null;
    }

    /** Follows {@code v} back through casts, identities and re-shapes. */
    static Value backThroughLayout(Value v) {
        for (int i = 0; v != null && i < 8; i++) {
            Node p = v.producer();
            if (p == null || !isLayoutOnly(p)) {
                return v;
            }
            v = p.input(0);
        }
        return v;
    }
}
