package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Layout and precision operators that real exporters put between an MLP's projections, its
 * activation and its product (an optimised dynamo SiLU is {@code Mul(g, Reshape(Sigmoid(Reshape(g))))}):
 * they move or re-type the values of their first input without computing anything new, so the
 * matcher looks through them. A {@code Transpose} counts only when it moves nothing but size-1
 * axes; a {@code Cast} only to a floating-point type.
 */
final class Layout {
    private static final int MAX_STEPS = 8;

    private Layout() {
    }

    static boolean isValuePreserving(Node n) {
        if (n.isStandard("Identity") || n.isStandard("Reshape") || n.isStandard("Flatten")
                || n.isStandard("Squeeze") || n.isStandard("Unsqueeze")) {
            return true;
        }
        if (n.isStandard("Cast")) {
            long to = n.intAttribute("to", 0);
            return DataType.isKnown((int) to) && to == (int) to && DataType.fromCode((int) to).isFloatingPoint();
        }
        return n.isStandard("Transpose") && movesOnlyUnitAxes(n);
    }

    /** Follows {@code v} back through value-preserving ops (and through a recorded patch) to where it is computed. */
    static Value behind(Value v, PatchedSites patched) {
        for (int i = 0; v != null && i < MAX_STEPS; i++) {
            v = patched.original(v);
            Value beforeQdq = QdqPair.floatBefore(v); // a QDQ pair only rounds the float tensor before it
            if (beforeQdq != v) {
                v = beforeQdq;
                continue;
            }
            Node p = v.producer();
            if (p == null || !isValuePreserving(p) || p.input(0) == null) {
                return v;
            }
            v = p.input(0);
        }
        return v;
    }

    /** Whether a Transpose keeps the order of every axis not known to be 1 (its input's rank must be known). */
    private static boolean movesOnlyUnitAxes(Node n) {
        TensorType t = n.input(0) == null ? null : n.input(0).tensorType();
        if (t == null || t.rank() <= 0) {
            return false;
        }
        int rank = t.rank();
        Attribute perm = n.attribute("perm");
        List<Long> order = new ArrayList<>();
        if (perm == null) {
            for (long a = rank - 1; a >= 0; a--) {
                order.add(a);
            }
        } else {
            order.addAll(perm.ints());
        }
        long last = -1;
        for (long axis : order) {
            if (axis < 0 || axis >= rank) {
                return false;
            }
            var d = t.dim((int) axis);
            if (d.isKnown() && d.value() == 1) {
                continue;
            }
            // An axis that may be longer than 1 (a symbolic batch or sequence too) must keep its place in the order.
            if (axis < last) {
                return false;
            }
            last = axis;
        }
        return true;
    }
}
