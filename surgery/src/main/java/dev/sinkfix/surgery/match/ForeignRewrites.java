package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MLP sites rewritten by a patch this tool did not write (another tool's, a hand-made one, or its own
 * without the metadata): the product {@code Mul} of a gated MLP reads, in place of the up projection,
 * a tensor computed from it by other nodes; or the down projection reads, in place of the product, a
 * tensor computed from it. Found by structure only: the one up projection (a projection of the gate's
 * input) behind the replacement, or the one gated product behind the down projection's input. The
 * matcher then sees the layer's MLP through the rewrite, as it does through a recorded patch, and
 * {@code inspect} says the site was rewritten by nodes not in a standard MLP.
 */
final class ForeignRewrites {
    private static final int MAX_NODES = 256;
    private static final int MAX_ACTIVATION_DEPTH = 6;

    private ForeignRewrites() {
    }

    /** Rewritten tensor -> the site it replaces, for every rewrite found in {@code order}. */
    static Map<Value, Value> find(List<Node> order, Constants constants) {
        Map<Value, Linear> linears = new IdentityHashMap<>();
        for (Node n : order) {
            Linear l = Linear.recognize(n, constants);
            if (l != null) {
                linears.put(l.output(), l);
            }
        }
        Map<Value, Value> found = new IdentityHashMap<>();
        for (Node n : order) {
            Linear down = linears.get(n.output(0) == null ? null : n.output(0));
            if (down != null) {
                actRewrite(down, linears, found);
            }
            if (n.isStandard("Mul") && n.inputs().size() == 2 && n.output(0) != null && feedsLinear(n, linears)) {
                upRewrite(n, n.input(0), n.input(1), linears, found);
                upRewrite(n, n.input(1), n.input(0), linears, found);
            }
        }
        return found;
    }

    private static boolean feedsLinear(Node mul, Map<Value, Linear> linears) {
        Use next = Trace.forwardSingle(mul.output(0));
        return next != null && next.index() == 0 && next.node().output(0) != null
                && linears.containsKey(next.node().output(0));
    }

    /** {@code Mul(act(gate), y)} where y is not a projection but computed from the one up projection. */
    private static void upRewrite(Node product, Value activated, Value y, Map<Value, Linear> linears,
                                  Map<Value, Value> found) {
        Linear gate = soleLinear(activated, linears, MAX_ACTIVATION_DEPTH);
        if (gate == null || linears.containsKey(Trace.back(y)) || found.containsKey(y)) {
            return;
        }
        // The activated side must hold the activation: otherwise this is the other orientation of
        // the product (the up side read as the gate), and the gate's SiLU would be taken for a rewrite.
        // A y that layout and precision ops alone derive from a projection is an intact MLP, not a rewrite.
        if (!hasActivation(activated, linears, MAX_ACTIVATION_DEPTH)
                || linears.containsKey(Layout.behind(y, PatchedSites.none())) || !readsGraphInput(y, linears)) {
            return;
        }
        Value input = Trace.back(gate.input());
        List<Linear> ups = behind(y, linears, l -> l != gate && Trace.back(l.input()) == input);
        if (ups.size() == 1 && gate.output() != Trace.back(activated)) {
            found.put(y, ups.get(0).output());
        }
    }

    /** A down projection reading, in place of the gated product, a tensor computed from the one product. */
    private static void actRewrite(Linear down, Map<Value, Linear> linears, Map<Value, Value> found) {
        Value z = Trace.back(down.input());
        Node p = z.producer();
        Node behindLayout = Layout.behind(z, PatchedSites.none()).producer();
        if (p == null || p.isStandard("Mul") || found.containsKey(z)
                || (behindLayout != null && behindLayout.isStandard("Mul"))) {
            return;
        }
        // The walk stops at every projection, so it never leaves this MLP for the layer before; and a
        // product that still feeds a projection itself is another layer's intact MLP, not this one's.
        List<Node> products = new ArrayList<>();
        walk(z, linears, node -> {
            boolean product = isGatedProduct(node, linears);
            if (product && !feedsLinear(node, linears) && !products.contains(node)) {
                products.add(node);
            }
            return product || (node.output(0) != null && linears.containsKey(node.output(0)));
        });
        if (products.size() == 1 && readsGraphInput(z, linears)) {
            found.put(z, products.get(0).output(0));
        }
    }

    private static boolean isGatedProduct(Node n, Map<Value, Linear> linears) {
        if (!n.isStandard("Mul") || n.inputs().size() != 2 || n.output(0) == null) {
            return false;
        }
        for (int i = 0; i < 2; i++) {
            Linear up = linears.get(Trace.back(n.input(i)));
            Linear gate = soleLinear(n.input(1 - i), linears, MAX_ACTIVATION_DEPTH);
            if (up != null && gate != null && gate != up && gate.output() != Trace.back(n.input(1 - i))
                    && Trace.back(gate.input()) == Trace.back(up.input())) {
                return true;
            }
        }
        return false;
    }

    private interface Stop {
        /** Visits {@code node}; true stops the walk there. */
        boolean at(Node node);
    }

    /** Projections that {@code v} is computed from and that pass {@code wanted}, walking back a bounded way. */
    private static List<Linear> behind(Value v, Map<Value, Linear> linears, java.util.function.Predicate<Linear> wanted) {
        List<Linear> found = new ArrayList<>();
        walk(v, linears, node -> {
            Linear l = node.output(0) == null ? null : linears.get(node.output(0));
            if (l != null && wanted.test(l) && !found.contains(l)) {
                found.add(l);
            }
            return l != null;
        });
        return found;
    }

    private static void walk(Value from, Map<Value, Linear> linears, Stop stop) {
        Deque<Value> todo = new ArrayDeque<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        todo.push(from);
        while (!todo.isEmpty() && seen.size() < MAX_NODES) {
            Node p = todo.pop().producer();
            if (p == null || !seen.add(p) || stop.at(p)) {
                continue;
            }
            for (Value in : p.inputs()) {
                if (in != null && !in.isInitializer()) {
                    todo.push(in);
                }
            }
        }
    }

    private static final Set<String> ACTIVATIONS = Set.of("Sigmoid", "Silu", "Swish", "Gelu", "FastGelu", "BiasGelu",
            "QuickGelu", "Tanh", "Erf", "Relu", "HardSigmoid", "HardSwish", "Softplus", "Mish", "Elu", "Selu", "LeakyRelu");

    /**
     * Whether {@code v} reads a graph input other than through a projection: a sink patch reads its
     * state or the positions (position_ids, the mask, the cache's or the ids' shape). Extra nodes that
     * compute from the projection and constants alone ({@code up * 1}, a pair of transposes) are not a
     * patch but an MLP this tool cannot read, and the layer is refused as unrecognised instead.
     */
    private static boolean readsGraphInput(Value v, Map<Value, Linear> linears) {
        Deque<Value> todo = new ArrayDeque<>();
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        todo.push(v);
        while (!todo.isEmpty() && seen.size() < MAX_NODES) {
            Value at = todo.pop();
            if (!seen.add(at) || at.isInitializer() || linears.containsKey(at)) {
                continue;
            }
            Node p = at.producer();
            if (p == null) {
                return true;
            }
            for (Value in : p.inputs()) {
                if (in != null) {
                    todo.push(in);
                }
            }
        }
        return false;
    }

    /** Whether a nonlinearity lies between {@code v} and the projection it is computed from. */
    private static boolean hasActivation(Value v, Map<Value, Linear> linears, int depth) {
        Node p = v == null ? null : v.producer();
        if (p == null || depth == 0 || (p.output(0) != null && linears.containsKey(p.output(0)))) {
            return false;
        }
        if (ACTIVATIONS.contains(p.opType())) {
            return true;
        }
        for (Value in : p.inputs()) {
            if (in != null && !in.isInitializer() && hasActivation(in, linears, depth - 1)) {
                return true;
            }
        }
        return false;
    }

    /** The one projection {@code v} is computed from through single-output element-wise steps; null if none or several. */
    private static Linear soleLinear(Value v, Map<Value, Linear> linears, int depth) {
        Linear direct = linears.get(Trace.back(v));
        if (direct != null) {
            return direct;
        }
        Node p = Trace.back(v).producer();
        if (depth == 0 || p == null || p.outputs().size() != 1) {
            return null;
        }
        Linear source = null;
        for (Value in : p.inputs()) {
            if (in == null || in.isInitializer() || (in.producer() != null && in.producer().isStandard("Constant"))) {
                continue;
            }
            Linear s = soleLinear(in, linears, depth - 1);
            if (s == null || (source != null && s != source)) {
                return null;
            }
            source = s;
        }
        return source;
    }
}
