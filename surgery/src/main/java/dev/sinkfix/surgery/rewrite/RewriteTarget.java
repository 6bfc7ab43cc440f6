package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;

/**
 * Where a rewrite adds its nodes ({@link #body()}) and how a new model input or output reaches
 * them. In a plain model both are the main graph. In a merged decoder the body is one branch of
 * the top-level {@code If}: a new input is an input of the main graph that the branch reads from
 * the outer scope (shared by both branches: one state pair), and a new output is a branch output
 * that becomes an output of the {@code If} and so of the model.
 */
final class RewriteTarget {
    private final Graph body;
    private final Graph top;
    private final Node branchNode;

    private RewriteTarget(Graph body, Graph top, Node branchNode) {
        this.body = body;
        this.top = top;
        this.branchNode = branchNode;
    }

    static RewriteTarget plain(Graph graph) {
        return new RewriteTarget(graph, graph, null);
    }

    /** A branch of {@code branchNode}, an {@code If} of the main graph. */
    static RewriteTarget branch(Graph branch, Node branchNode) {
        return new RewriteTarget(branch, branchNode.graph(), branchNode);
    }

    Graph body() {
        return body;
    }

    boolean hasInput(String name) {
        return top.input(name) != null;
    }

    /** Whether model output {@code name} exists already; in a branch, whether this branch already writes it. */
    boolean hasOutput(String name) {
        if (branchNode == null) {
            return top.output(name) != null || top.value(name) != null;
        }
        for (int i = 0; i < branchNode.outputs().size(); i++) {
            Value out = branchNode.output(i);
            if (out != null && out.name().equals(name)) {
                return i < body.outputs().size();
            }
        }
        return top.value(name) != null;
    }

    /** The model input {@code name}: added on first use, the same value for every branch after. */
    Value input(String name, TensorType type) {
        Value existing = top.input(name);
        return existing != null ? existing : top.addInput(name, type);
    }

    /** What to call, inside the body, the value that becomes model output {@code name}. */
    String bodyName(String name) {
        return branchNode == null ? name : body.freshValueName("/sinkfix/" + branchLabel() + "/" + name);
    }

    /** Makes {@code v} (named by {@link #bodyName}) the model output {@code name}. */
    void expose(String name, Value v, TensorType type) {
        v.setType(type);
        body.addOutput(v);
        if (branchNode != null && top.output(name) == null) {
            Value out = branchNode.materializeOutput(branchNode.outputs().size(), name);
            out.setType(type);
            top.addOutput(out);
        }
    }

    private String branchLabel() {
        for (var a : branchNode.attributes().values()) {
            if (a.graphs().contains(body)) {
                return a.name();
            }
        }
        return "branch";
    }
}
