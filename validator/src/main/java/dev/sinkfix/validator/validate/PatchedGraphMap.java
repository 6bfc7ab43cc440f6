package dev.sinkfix.validator.validate;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds tensors of the original model in a patched one that nobody described: by name first,
 * then by structure (the node that computes it, found by its name or by reading the same inputs
 * with the same operator). The patched graph is never re-matched as a decoder: a patch written by
 * another tool, or by hand, may have rewritten anything around the site, so only the original is
 * trusted to say where the layers are.
 */
public final class PatchedGraphMap {
    private static final int MAX_DEPTH = 64;
    private final Graph patched;
    private final Map<Value, Value> mapped = new IdentityHashMap<>();

    public PatchedGraphMap(Graph patched) {
        this.patched = patched;
    }

    /** The patched graph's counterpart of {@code v}, or a refusal that names it and says why. */
    public Value map(Value v) {
        Value found = find(v, MAX_DEPTH);
        if (found == null) {
            throw new BadInputException("cannot find the original's tensor " + v.name() + " in the patched model: "
                    + "no tensor of that name, and " + describeProducer(v) + "; was the model rewritten beyond the "
                    + "patch?");
        }
        return found;
    }

    /**
     * What the readers of the original {@code site} read in the patched graph: each reader is found
     * by name or by structure, and the tensor at the site's slot is the patched value, whatever
     * nodes produce it. Refused when a reader cannot be found, when the readers still read the site,
     * or when they read different tensors.
     */
    public Value patchedValueOf(Value site) {
        Value result = null;
        Node firstReader = null;
        for (Use use : site.uses()) {
            Node reader = use.node();
            Node now = findNode(reader, use.index(), MAX_DEPTH);
            if (now == null) {
                throw new BadInputException("cannot find the reader of " + site.name() + " (" + reader.opType() + " "
                        + quoted(reader.name()) + ") in the patched model: no node of that name, and no "
                        + reader.opType() + " reads its other inputs");
            }
            Value reads = now.input(use.index());
            if (reads == null) {
                throw new BadInputException("in the patched model " + reader.opType() + " " + quoted(now.name())
                        + " has no input " + use.index() + ", where the original reads " + site.name());
            }
            if (result != null && reads != result) {
                throw new BadInputException("the readers of " + site.name() + " read different tensors in the patched "
                        + "model: " + firstReader.opType() + " " + quoted(firstReader.name()) + " reads " + result.name()
                        + ", " + now.opType() + " " + quoted(now.name()) + " reads " + reads.name()
                        + "; a patch replaces the site for all of them");
            }
            result = reads;
            firstReader = now;
        }
        if (result == null) {
            throw new BadInputException("the original's " + site.name() + " has no readers to follow into the "
                    + "patched model");
        }
        return result;
    }

    private Value find(Value v, int depth) {
        Value known = mapped.get(v);
        if (known != null) {
            return known;
        }
        Value byName = patched.value(v.name());
        Value result = byName;
        if (result == null && depth > 0 && v.producer() != null) {
            Node now = findNode(v.producer(), -1, depth - 1);
            if (now != null) {
                int index = v.producerIndex();
                result = now.outputs().size() > index ? now.output(index) : null;
                if (result == null) {
                    // An optional output the original's taps brought out (a genai norm's residual
                    // sum): the same node in the patched graph computes it just as well.
                    result = now.materializeOutput(index, patched.freshValueName(v.name()));
                }
            }
        }
        if (result != null) {
            mapped.put(v, result);
        }
        return result;
    }

    /**
     * The node of the patched graph that plays {@code node}'s part: the one of that name and
     * operator, else the only one of that operator whose inputs are the mapped inputs of
     * {@code node}, input {@code free} left out (it is the site the patch replaced).
     */
    private Node findNode(Node node, int free, int depth) {
        if (!node.name().isEmpty()) {
            for (Node n : patched.nodes()) {
                if (n.name().equals(node.name()) && n.opType().equals(node.opType())
                        && n.domain().equals(node.domain())) {
                    return n;
                }
            }
        }
        if (depth <= 0) {
            return null;
        }
        List<Value> wanted = new ArrayList<>();
        boolean anchored = false;
        for (int i = 0; i < node.inputs().size(); i++) {
            Value in = node.input(i);
            if (i == free || in == null) {
                wanted.add(null);
                continue;
            }
            Value m = find(in, depth - 1);
            if (m == null) {
                return null;
            }
            wanted.add(m);
            anchored = true;
        }
        if (!anchored) {
            return null;
        }
        Node match = null;
        for (Value w : wanted) {
            if (w == null) {
                continue;
            }
            for (Use use : w.uses()) {
                Node n = use.node();
                if (n == match || !sameOperator(n, node) || !readsAll(n, wanted)) {
                    continue;
                }
                if (match != null) {
                    return null;
                }
                match = n;
            }
        }
        return match;
    }

    private static boolean sameOperator(Node a, Node b) {
        return a.opType().equals(b.opType()) && a.domain().equals(b.domain()) && a.inputs().size() == b.inputs().size()
                && a.outputs().size() == b.outputs().size();
    }

    private static boolean readsAll(Node n, List<Value> wanted) {
        for (int i = 0; i < wanted.size(); i++) {
            if (wanted.get(i) != null && !Objects.equals(n.input(i), wanted.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static String describeProducer(Value v) {
        Node p = v.producer();
        if (p == null) {
            return v.isGraphInput() ? "it is a graph input the patched model does not have"
                    : "it is a constant the patched model does not have";
        }
        return "no " + p.opType() + " node named " + quoted(p.name()) + " or reading the same inputs computes it";
    }

    private static String quoted(String name) {
        return name.isEmpty() ? "(unnamed)" : "'" + name + "'";
    }
}
