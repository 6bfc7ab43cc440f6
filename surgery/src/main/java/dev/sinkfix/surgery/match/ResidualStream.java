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
 * The residual stream of a decoder: the token embedding, then every junction where a sublayer's
 * output joins the stream (an {@code Add}, or output 3 of a genai {@code SkipSimplifiedLayerNormalization}),
 * in order. Layers are identified from it, two junctions each (attention, then MLP), whether or not
 * their MLP can be read: a layer that cannot be read keeps its place instead of vanishing.
 */
record ResidualStream(Node embedding, Value start, List<Junction> junctions) {
    private static final int MAX_JUNCTIONS = 100_000;
    private static final int FORWARD_STEPS = 3;

    /** The longest stream that starts at a token embedding, or null when no embedding starts one. */
    static ResidualStream find(List<Node> order, Constants constants, List<String> notes) {
        Map<Node, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            position.put(order.get(i), i);
        }
        ResidualStream best = null;
        for (Node n : order) {
            if (!n.opType().startsWith("Gather") || n.inputs().size() < 2 || n.output(0) == null
                    || n.input(0) == null || n.input(1) == null || !constants.isConstant(n.input(0))) {
                continue;
            }
            Value ids = Trace.back(n.input(1));
            if (ids == null || !ids.isGraphInput() || ids.isInitializer()) {
                continue;
            }
            ResidualStream s = walk(n, floatStart(n, constants), position);
            if (!s.junctions.isEmpty()) {
                notes.add("candidate token embedding " + n + " (indexed by " + ids.name() + "): "
                        + s.junctions.size() + " residual junctions follow it");
            }
            if (best == null || s.junctions.size() > best.junctions.size()) {
                best = s;
            }
        }
        return best;
    }

    /**
     * The float embedding a gather hands the stream: its own output, or, where {@code quantize_dynamic}
     * gathered from an int8 table, the {@code DequantizeLinear} (constant scale and zero point) that
     * is its only reader. A {@code com.microsoft:GatherBlockQuantized} dequantizes itself.
     */
    private static Value floatStart(Node gather, Constants constants) {
        Value out = gather.output(0);
        if (out.uses().size() != 1) {
            return out;
        }
        Use only = out.uses().get(0);
        Node dq = only.node();
        boolean constantParameters = dq.inputs().size() >= 2 && dq.inputs().subList(1, dq.inputs().size()).stream()
                .allMatch(v -> v == null || constants.isConstant(v));
        return dq.isStandard("DequantizeLinear") && only.index() == 0 && dq.output(0) != null && constantParameters
                ? dq.output(0) : out;
    }

    private static ResidualStream walk(Node embedding, Value start, Map<Node, Integer> position) {
        List<Junction> junctions = new ArrayList<>();
        Value r = start;
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (r != null && junctions.size() < MAX_JUNCTIONS) {
            Junction next = nextJunction(r, position);
            if (next == null || !seen.add(next.node())) {
                break;
            }
            junctions.add(next);
            r = next.sum().value();
        }
        return new ResidualStream(embedding, start, List.copyOf(junctions));
    }

    /** The first junction (in topological order) that adds to {@code r} something computed from {@code r}. */
    private static Junction nextJunction(Value r, Map<Node, Integer> position) {
        Junction best = null;
        Deque<Value> todo = new ArrayDeque<>();
        todo.add(r);
        for (int step = 0; step <= FORWARD_STEPS && !todo.isEmpty(); step++) {
            Deque<Value> next = new ArrayDeque<>();
            for (Value x : todo) {
                for (Use u : x.uses()) {
                    Node n = u.node();
                    if (Junction.isJunctionOp(n) && u.index() <= 1) {
                        Junction j = Junction.at(n, 1 - u.index());
                        if (j != null && dependsOn(j.sublayer(), r)
                                && (best == null || position.getOrDefault(n, 0) < position.getOrDefault(best.node(), 0))) {
                            best = j;
                        }
                    } else if (Trace.isLayoutOnly(n) && u.index() == 0 && n.output(0) != null) {
                        next.add(n.output(0));
                    }
                }
            }
            todo = next;
        }
        return best;
    }

    /**
     * Whether {@code of} is computed from {@code ancestor} or from a sibling output of its
     * producer: a genai norm hands the residual sum (output 3) on and the normed input (output 0)
     * to the next sublayer.
     */
    static boolean dependsOn(Value of, Value ancestor) {
        Node source = ancestor.producer();
        Deque<Value> todo = new ArrayDeque<>();
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        todo.push(of);
        while (!todo.isEmpty()) {
            Value v = todo.pop();
            if (v == ancestor || (source != null && v.producer() == source)) {
                return true;
            }
            if (!seen.add(v) || v.producer() == null) {
                continue;
            }
            for (Value in : v.producer().inputs()) {
                if (in != null) {
                    todo.push(in);
                }
            }
        }
        return false;
    }
}
