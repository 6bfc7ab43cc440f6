package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds gated MLPs by shape: a {@code Mul} of (a function of one projection's output) and
 * (another projection's output), both projections reading the same input, feeding a third
 * projection. Names, operator of the projections and the activation's spelling do not matter.
 */
final class MlpFinder {
    private static final int MAX_ACTIVATION_DEPTH = 6;
    private final Map<Value, Linear> linearsByOutput = new IdentityHashMap<>();
    private final Map<Node, Linear> linearsByNode = new IdentityHashMap<>();
    /** Projections by the quantizer that reads their float input (dynamic int8), where it serves only one. */
    private final Map<Node, List<Linear>> linearsByEntry = new IdentityHashMap<>();
    private final PatchedSites patched;

    MlpFinder(List<Node> order, Constants constants, PatchedSites patched) {
        this.patched = patched;
        for (Node n : order) {
            Linear l = Linear.recognize(n, constants);
            if (l != null) {
                linearsByOutput.put(l.output(), l);
                linearsByNode.put(n, l);
                linearsByEntry.computeIfAbsent(l.entry(), k -> new ArrayList<>()).add(l);
            }
        }
    }

    Linear linearProducing(Value v) {
        return linearsByOutput.get(Trace.back(patched.original(Trace.back(v))));
    }

    Linear linearAt(Node n) {
        return linearsByNode.get(n);
    }

    /** The projection whose float input {@code n} reads: {@code n} itself, or the quantizer in front of one projection. */
    private Linear linearReading(Node n) {
        Linear direct = linearsByNode.get(n);
        if (direct != null) {
            return direct;
        }
        List<Linear> entered = linearsByEntry.get(n);
        return entered != null && entered.size() == 1 ? entered.get(0) : null;
    }

    /** Every gated MLP, in the given (topological) order of their product node. */
    List<GatedMlp> find(List<Node> order) {
        List<GatedMlp> found = new ArrayList<>();
        for (Node n : order) {
            if (!n.isStandard("Mul") || n.inputs().size() != 2 || n.output(0) == null) {
                continue;
            }
            GatedMlp mlp = asMlp(n, n.input(0), n.input(1));
            if (mlp == null) {
                mlp = asMlp(n, n.input(1), n.input(0));
            }
            if (mlp != null) {
                found.add(mlp);
            }
        }
        return found;
    }

    private GatedMlp asMlp(Node product, Value activated, Value upOut) {
        Linear up = linearProducing(upOut);
        Value act = patched.original(Trace.back(activated));
        if (up == null || act == up.output()) {
            return null;
        }
        Linear gate = soleSource(activated, MAX_ACTIVATION_DEPTH);
        if (gate == null || gate == up || act == gate.output()) {
            return null;
        }
        if (Trace.back(gate.input()) != Trace.back(up.input())) {
            return null;
        }
        Use next = Trace.forwardSingle(patched.current(product.output(0)));
        if (next == null || next.index() != 0) {
            return null;
        }
        Linear down = linearReading(next.node());
        return down == null ? null : new GatedMlp(gate, up, product, down);
    }

    /** The one projection {@code v} is computed from, through element-wise steps; null if none or several. */
    private Linear soleSource(Value v, int depth) {
        Linear direct = linearProducing(v);
        if (direct != null) {
            return direct;
        }
        Node p = patched.original(v).producer();
        if (depth == 0 || p == null || p.output(0) == null || p.outputs().size() != 1) {
            return null;
        }
        Linear source = null;
        for (Value in : p.inputs()) {
            if (in == null || isConstantLike(in)) {
                continue;
            }
            Linear s = soleSource(in, depth - 1);
            if (s == null || (source != null && s != source)) {
                return null;
            }
            source = s;
        }
        return source;
    }

    private static boolean isConstantLike(Value v) {
        return v.isInitializer() || (v.producer() != null && v.producer().isStandard("Constant"));
    }
}
