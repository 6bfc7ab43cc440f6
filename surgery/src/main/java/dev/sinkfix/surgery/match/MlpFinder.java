package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads gated MLPs by shape: a {@code Mul} of (a function of one projection's output) and
 * (another projection's output), both projections reading the same input, feeding a third
 * projection. Names, the operator of the projections and the activation's spelling do not
 * matter; layout and precision ops ({@link Layout}) may sit anywhere between them. Every
 * failed candidate comes back with the check that failed.
 */
final class MlpFinder {
    private static final int MAX_ACTIVATION_DEPTH = 8;
    private static final String PROJECTION = "a projection (MatMul, Gemm, FusedMatMul or MatMulNBits of a constant weight)";
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

    /** The gated MLP whose down projection computes {@code mlpOutput}, the sublayer input of a residual junction. */
    MlpMatch endingAt(Value mlpOutput) {
        Value out = Layout.behind(mlpOutput, patched);
        Linear down = linearsByOutput.get(out);
        if (down == null) {
            return MlpMatch.failed("its output " + mlpOutput.name() + " is computed by " + describe(out) + ", not by "
                    + PROJECTION + " (the down projection)");
        }
        Value in = Layout.behind(down.input(), patched);
        Node product = in.producer();
        if (product == null || !product.isStandard("Mul") || product.inputs().size() != 2) {
            return MlpMatch.failed("its down projection " + down.node() + " reads " + describe(in)
                    + ", not a Mul of the activated gate projection and the up projection");
        }
        return atProduct(product, down);
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

    /** Every gated MLP whose product feeds a down projection directly, in the given order: evidence that MLPs exist at all. */
    List<GatedMlp> find(List<Node> order) {
        List<GatedMlp> found = new ArrayList<>();
        for (Node n : order) {
            if (!n.isStandard("Mul") || n.inputs().size() != 2 || n.output(0) == null) {
                continue;
            }
            Use next = Trace.forwardSingle(patched.current(n.output(0)));
            Linear down = next == null || next.index() != 0 ? null : linearReading(next.node());
            if (down != null) {
                MlpMatch m = atProduct(n, down);
                if (m.ok()) {
                    found.add(m.mlp());
                }
            }
        }
        return found;
    }

    private MlpMatch atProduct(Node product, Linear down) {
        String[] why = new String[2];
        for (int i = 0; i < 2; i++) {
            MlpMatch m = oriented(product, i, down);
            if (m.ok()) {
                return m;
            }
            why[i] = m.why();
        }
        return MlpMatch.failed("its product " + product + " is not act(gate(x)) * up(x): taking input 0 as the "
                + "activated gate, " + why[0] + "; taking input 1 as the activated gate, " + why[1]);
    }

    /** The MLP when input {@code activatedIndex} of the product is the activated gate, else why not. */
    private MlpMatch oriented(Node product, int activatedIndex, Linear down) {
        Value activated = product.input(activatedIndex);
        Value upSide = product.input(1 - activatedIndex);
        if (activated == null || upSide == null) {
            return MlpMatch.failed("an input is missing");
        }
        Value upOut = Layout.behind(upSide, patched);
        Linear up = linearsByOutput.get(upOut);
        if (up == null) {
            return MlpMatch.failed("the up side " + upSide.name() + " is computed by " + describe(upOut) + ", not by "
                    + PROJECTION + " (only layout and precision ops may sit between the up projection and the Mul)");
        }
        Linear gate = soleSource(activated, MAX_ACTIVATION_DEPTH);
        if (gate == null) {
            return MlpMatch.failed("the activated side " + activated.name() + " is not computed from one projection "
                    + "through element-wise steps");
        }
        if (gate == up) {
            return MlpMatch.failed("both sides come from the same projection " + up.node());
        }
        if (Layout.behind(activated, patched) == gate.output()) {
            return MlpMatch.failed("the activated side is the projection " + gate.node() + " itself, with no activation");
        }
        Value gateIn = Layout.behind(gate.input(), patched);
        Value upIn = Layout.behind(up.input(), patched);
        if (gateIn != upIn) {
            return MlpMatch.failed("the gate projection " + gate.node() + " reads " + gateIn.name()
                    + " but the up projection " + up.node() + " reads " + upIn.name() + ": not the same input");
        }
        return MlpMatch.found(new GatedMlp(gate, up, product, down));
    }

    /** The one projection {@code v} is computed from, through element-wise and layout steps; null if none or several. */
    private Linear soleSource(Value v, int depth) {
        Value at = Layout.behind(v, patched);
        Linear direct = linearsByOutput.get(at);
        if (direct != null) {
            return direct;
        }
        Node p = at.producer();
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

    static String describe(Value v) {
        if (v.producer() != null) {
            return v.producer().toString();
        }
        return v.isGraphInput() ? "the graph input " + v.name() : v.name();
    }
}
