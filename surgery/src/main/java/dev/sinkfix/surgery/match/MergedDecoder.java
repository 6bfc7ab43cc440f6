package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * Hugging Face optimum's merged decoder ({@code decoder_model_merged.onnx}): a bool input
 * {@code use_cache_branch} and a top-level {@code If} whose two branches each hold the whole
 * decoder, with past ({@code then_branch}) and without, both reading the main graph's inputs and
 * initializers from the outer scope. Both branches are matched as decoders of their own.
 */
public record MergedDecoder(Node branchNode, Value useCacheBranch, Decoder withPast, Decoder withoutPast) {

    /** The merged form, or null when the main graph has no If on a bool input with a decoder in each branch. */
    public static MergedDecoder find(Model model) {
        List<Node> computing = model.graph().nodes().stream()
                .filter(n -> !n.isStandard("Constant") && !n.isStandard("Identity") && !n.isStandard("Cast")).toList();
        // optimum's main graph is the If alone; an If beside a decoder's own nodes is part of that decoder.
        if (computing.size() != 1) {
            return null;
        }
        for (Node n : computing) {
            if (!n.isStandard("If") || n.input(0) == null) {
                continue;
            }
            Value condition = Trace.back(n.input(0));
            Graph then = branch(n, "then_branch");
            Graph otherwise = branch(n, "else_branch");
            if (!condition.isGraphInput() || condition.dtype() != DataType.BOOL || then == null || otherwise == null) {
                continue;
            }
            Decoder a = matchOrExplain(model, then, n, "then_branch");
            Decoder b = matchOrExplain(model, otherwise, n, "else_branch");
            if (a.layers().size() != b.layers().size()) {
                throw new NotADecoderException("the branches of the merged decoder " + n + " hold " + a.layers().size()
                        + " and " + b.layers().size() + " layers; expected the same decoder twice");
            }
            // optimum puts the decoder with past in then_branch; the cache says so where it differs.
            boolean swapped = a.kvCache().isEmpty() && !b.kvCache().isEmpty();
            return new MergedDecoder(n, condition, swapped ? b : a, swapped ? a : b);
        }
        return null;
    }

    private static Decoder matchOrExplain(Model model, Graph branch, Node n, String label) {
        try {
            return DecoderMatcher.matchBranch(model, branch);
        } catch (NotADecoderException e) {
            throw new NotADecoderException("in the " + label + " of the merged decoder " + n + ": "
                    + e.getMessage().substring(e.getMessage().indexOf(':') + 2), e.notes());
        }
    }

    private static Graph branch(Node n, String name) {
        Attribute a = n.attribute(name);
        return a == null || a.graphs().size() != 1 ? null : a.graphs().get(0);
    }

    public String withPastLabel() {
        return label(withPast.graph());
    }

    public String withoutPastLabel() {
        return label(withoutPast.graph());
    }

    private String label(Graph g) {
        Attribute then = branchNode.attribute("then_branch");
        return then != null && then.graphs().contains(g) ? "then_branch" : "else_branch";
    }
}
