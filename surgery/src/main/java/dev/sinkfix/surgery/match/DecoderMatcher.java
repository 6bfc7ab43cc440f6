package dev.sinkfix.surgery.match;

import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a Llama/Mistral decoder by structure and role (EXPORTERS.md): the gated MLPs
 * give the layers, the residual junctions after them give the order and the attention
 * outputs, and the attention region between two junctions gives the heads and the KV cache.
 * Names are read only as hints, and only to report them.
 */
public final class DecoderMatcher {
    private static final Pattern LAYER_IN_NAME = Pattern.compile("layers?[._/]?(\\d+)(?:[._/]|$)");

    private final Model model;
    private final Graph graph;
    private final Constants constants = new Constants();
    private final List<Node> order;
    private final MlpFinder mlps;

    private DecoderMatcher(Model model) {
        this.model = model;
        this.graph = model.graph();
        this.order = graph.topologicalOrder();
        this.mlps = new MlpFinder(order, constants, PatchedSites.of(model));
    }

    /** Matches the model or refuses it with the part that was not found. */
    public static Decoder match(Model model) {
        return new DecoderMatcher(model).match();
    }

    private Decoder match() {
        List<GatedMlp> found = mlps.find(order);
        if (found.isEmpty()) {
            if (layersInSubgraphs()) {
                throw new NotADecoderException("its layers live inside If/Loop subgraphs (a merged decoder with a "
                        + "use_cache_branch); export the decoder with past key values as one graph");
            }
            throw new NotADecoderException("no gated MLP down(act(gate(x)) * up(x)) was found: no Mul of a "
                    + "projection and an activated projection of the same input that feeds a third projection");
        }
        List<Junction[]> junctions = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            junctions.add(junctionsOf(i, found.get(i)));
        }
        Set<Node> stops = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Junction[] j : junctions) {
            stops.add(j[0].node());
            stops.add(j[1].node());
        }
        List<DecoderLayer> layers = new ArrayList<>();
        List<KvCachePair> kv = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            GatedMlp mlp = found.get(i);
            Junction attn = junctions.get(i)[0];
            Junction post = junctions.get(i)[1];
            AttentionScan scan = scanAttention(i, attn, stops);
            if (scan.kv != null) {
                kv.add(scan.kv);
            }
            layers.add(new DecoderLayer(i, nameHint(mlp), mlp, scan.block, attn.sublayer(), mlp.down().output(),
                    post.sum()));
        }
        return describe(layers, junctions, kv);
    }

    /** [0]: where the attention output joins the residual, [1]: where the MLP output joins it. */
    private Junction[] junctionsOf(int index, GatedMlp mlp) {
        Use use = Trace.forwardSingle(mlp.down().output());
        Junction post = use == null ? null : Junction.at(use.node(), use.index());
        if (post == null) {
            throw new NotADecoderException("the MLP of layer " + index + " (" + mlp.down().node()
                    + ") does not feed a residual Add or SkipSimplifiedLayerNormalization");
        }
        Value h = Trace.back(post.residual());
        Node p = h.producer();
        Junction attn = null;
        if (p != null && Junction.isJunctionOp(p) && p.output(Junction.isSkipNorm(p) ? 3 : 0) == h) {
            Value a = p.input(0);
            Value b = p.input(1);
            if (isAncestor(a, b)) {
                attn = Junction.at(p, 1);
            } else if (isAncestor(b, a)) {
                attn = Junction.at(p, 0);
            }
        }
        if (attn == null) {
            throw new NotADecoderException("layer " + index + " has no residual junction before its MLP that adds "
                    + "an attention output to the residual stream (looked at " + (p == null ? h.name() : p) + ")");
        }
        return new Junction[] {attn, post};
    }

    /**
     * Whether {@code of} is computed from {@code ancestor} or from a sibling output of its
     * producer: a genai norm hands the residual sum (output 3) on and the normed input (output 0)
     * to the attention.
     */
    private static boolean isAncestor(Value ancestor, Value of) {
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

    private record AttentionScan(AttentionBlock block, KvCachePair kv) {
    }

    /** Looks at the nodes between the layer's incoming residual and its attention output. */
    private AttentionScan scanAttention(int index, Junction attn, Set<Node> stops) {
        List<Node> region = regionBehind(attn.sublayer(), attn.residual(), stops);
        for (Node n : region) {
            String kind = fusedKind(n);
            if (kind != null) {
                return fused(index, n, kind);
            }
        }
        Node softmax = null;
        for (Node n : region) {
            if (n.isStandard("Softmax")) {
                softmax = n;
            }
        }
        if (softmax == null) {
            throw new NotADecoderException("layer " + index + " has no attention before its MLP: no Softmax, "
                    + "MultiHeadAttention, GroupQueryAttention or Attention between " + attn.residual().name()
                    + " and " + attn.sublayer().name());
        }
        return spelledOut(index, softmax, region, attn);
    }

    private static String fusedKind(Node n) {
        if (n.is(Domains.MICROSOFT, "MultiHeadAttention") || n.is(Domains.MICROSOFT, "GroupQueryAttention")
                || n.is(Domains.MICROSOFT, "Attention") || n.is(Domains.MICROSOFT, "PackedMultiHeadAttention")) {
            return Domains.MICROSOFT + ":" + n.opType();
        }
        return n.isStandard("Attention") ? "Attention" : null;
    }

    private AttentionScan fused(int index, Node core, String kind) {
        long heads = core.intAttribute("num_heads", core.intAttribute("q_num_heads", -1));
        long kvHeads = core.intAttribute("kv_num_heads", kind.endsWith(":MultiHeadAttention") ? heads : -1);
        int pastKey = switch (core.opType()) {
            case "MultiHeadAttention" -> 6;
            case "GroupQueryAttention" -> 3;
            case "Attention" -> core.domain().isEmpty() ? 4 : -1;
            default -> -1;
        };
        KvCachePair kv = null;
        if (pastKey >= 0 && core.input(pastKey) != null && core.input(pastKey + 1) != null) {
            kv = new KvCachePair(index, core.input(pastKey), core.input(pastKey + 1), core.output(1), core.output(2));
        }
        AttentionBlock block = new AttentionBlock(kind, core, null,
                "attention is fused into " + kind + ": the probabilities never exist as a tensor", heads, kvHeads);
        return new AttentionScan(block, kv);
    }

    private AttentionScan spelledOut(int index, Node softmax, List<Node> region, Junction attn) {
        Value probs = softmax.output(0);
        Value pastKey = null;
        Value pastValue = null;
        Value presentKey = null;
        Value presentValue = null;
        for (Node n : region) {
            if (!n.isStandard("Concat")) {
                continue;
            }
            for (Value in : n.inputs()) {
                if (in != null && in.isGraphInput() && !in.isInitializer()) {
                    boolean isValue = feedsProductWith(n.output(0), probs);
                    Value present = graphOutputOf(n.output(0));
                    if (isValue) {
                        pastValue = in;
                        presentValue = present;
                    } else {
                        pastKey = in;
                        presentKey = present;
                    }
                }
            }
        }
        KvCachePair kv = pastKey != null && pastValue != null
                ? new KvCachePair(index, pastKey, pastValue, presentKey, presentValue) : null;
        long headDim = kv == null ? -1 : dimOf(kv.pastKey(), 3);
        long kvHeads = kv == null ? -1 : dimOf(kv.pastKey(), 1);
        long heads = -1;
        Linear out = mlps.linearProducing(attn.sublayer());
        List<Linear> projections = new ArrayList<>();
        for (Node n : region) {
            Linear l = mlps.linearAt(n);
            if (l != null && l != out && l.outFeatures() > 0) {
                projections.add(l);
            }
        }
        if (headDim > 0 && projections.size() == 3) {
            long q = projections.stream().mapToLong(Linear::outFeatures).max().orElse(-1);
            heads = q / headDim;
        } else if (headDim > 0 && kvHeads > 0 && projections.size() == 1) {
            heads = projections.get(0).outFeatures() / headDim - 2 * kvHeads;
        }
        AttentionBlock block = new AttentionBlock("Softmax", softmax, probs, null, heads, kvHeads);
        return new AttentionScan(block, kv);
    }

    /** True when {@code v} reaches, within a few steps and not through the probabilities, a MatMul with them: V. */
    private static boolean feedsProductWith(Value v, Value probs) {
        Deque<Value> todo = new ArrayDeque<>();
        todo.add(v);
        for (int steps = 0; !todo.isEmpty() && steps < 64; steps++) {
            Value x = todo.poll();
            for (Use u : x.uses()) {
                Node n = u.node();
                if (n.isStandard("MatMul") && n.input(0) != null && Trace.back(n.input(0)) == probs) {
                    return true;
                }
                for (Value out : n.outputs()) {
                    // Keys reach the probabilities too, through the scores: do not walk past them.
                    if (out != null && out != probs) {
                        todo.add(out);
                    }
                }
            }
        }
        return false;
    }

    private Value graphOutputOf(Value v) {
        if (v.isGraphOutput()) {
            return v;
        }
        for (Use u : v.uses()) {
            if (Trace.isPassThrough(u.node()) && u.node().output(0) != null && u.node().output(0).isGraphOutput()) {
                return u.node().output(0);
            }
            Value rounded = QdqPair.floatAfter(u);
            if (rounded != null && rounded.isGraphOutput()) {
                return rounded;
            }
        }
        return null;
    }

    private static long dimOf(Value v, int axis) {
        var t = v.tensorType();
        return t != null && t.dim(axis).isKnown() ? t.dim(axis).value() : -1;
    }

    /** Nodes that {@code from} depends on, stopping at the incoming residual and at other layers' junctions. */
    private List<Node> regionBehind(Value from, Value residual, Set<Node> stops) {
        List<Node> region = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Value> todo = new ArrayDeque<>();
        todo.push(from);
        while (!todo.isEmpty() && region.size() < 5000) {
            Value v = todo.pop();
            Node p = v.producer();
            if (v == residual || p == null || stops.contains(p) || constants.isConstant(v) || !seen.add(p)) {
                continue;
            }
            region.add(p);
            for (Value in : p.inputs()) {
                if (in != null) {
                    todo.push(in);
                }
            }
        }
        return region;
    }

    private boolean layersInSubgraphs() {
        for (Node n : graph.allNodes()) {
            if (n.graph() != graph && n.isStandard("Mul")) {
                return graph.allNodes().stream().anyMatch(x -> x.graph() != graph && x.isStandard("MatMul"));
            }
        }
        return false;
    }

    private String nameHint(GatedMlp mlp) {
        for (String name : List.of(mlp.down().node().name(), mlp.down().output().name(),
                mlp.down().node().input(1) == null ? "" : mlp.down().node().input(1).name())) {
            Matcher m = LAYER_IN_NAME.matcher(name);
            if (m.find()) {
                return "layers." + m.group(1);
            }
        }
        return null;
    }

    private Decoder describe(List<DecoderLayer> layers, List<Junction[]> junctions, List<KvCachePair> kv) {
        Value embeddings = Trace.back(junctions.get(0)[0].residual());
        Node gather = embeddings.producer();
        if (gather == null || !gather.isStandard("Gather") && !gather.opType().startsWith("Gather")) {
            throw new NotADecoderException("the residual stream does not start at a token embedding (a Gather of "
                    + "the embedding table by token ids); it starts at " + embeddings.name());
        }
        Value ids = Trace.back(gather.input(1));
        if (ids == null || !ids.isGraphInput()) {
            throw new NotADecoderException("the token embedding " + gather + " is not indexed by a graph input");
        }
        Tensor table = Constants.backingTensor(gather.input(0));
        long vocab = table != null && table.dims().size() == 2 ? table.dims().get(0) : -1;
        long hidden = table != null && table.dims().size() == 2 ? table.dims().get(1) : -1;

        DecoderLayer first = layers.get(0);
        AttentionBlock attention = first.attention();
        long kvHeads = attention.kvHeads();
        long headDim = kv.isEmpty() ? -1 : dimOf(kv.get(0).pastKey(), 3);
        if (kvHeads < 0 && !kv.isEmpty()) {
            kvHeads = dimOf(kv.get(0).pastKey(), 1);
        }
        long heads = attention.heads();
        if (headDim < 0 && heads > 0 && hidden > 0) {
            headDim = hidden / heads;
        }

        Value positionIds = findPositionIds(ids);
        Value mask = findAttentionMask(ids, positionIds);
        PositionSource positions = positionIds != null ? PositionSource.POSITION_IDS
                : mask != null ? PositionSource.ATTENTION_MASK
                : !kv.isEmpty() ? PositionSource.PAST_LENGTH : PositionSource.NONE;

        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto op : model.extras().getOpsetImportList()) {
            opsets.put(op.getDomain().isEmpty() ? "ai.onnx" : op.getDomain(), op.getVersion());
        }
        ExporterStyle style = exporterStyle(layers, junctions);
        FamilyGuess family = FamilyGuess.of(model, layers, heads, kvHeads);
        return new Decoder(family.family(), family.evidence(), style, exporterEvidence(style, layers),
                graph, List.copyOf(layers), hidden, first.mlp().intermediateSize(), heads, kvHeads, headDim, vocab,
                siteType(first), model.opsetVersion(""), opsets, ids, mask, positionIds, positions, List.copyOf(kv),
                embeddings, findLogits(vocab));
    }

    private DataType siteType(DecoderLayer layer) {
        return layer.mlp().up().dtype();
    }

    private Value findPositionIds(Value ids) {
        for (Value in : graph.inputs()) {
            if (in == ids || !isInteger(in)) {
                continue;
            }
            for (Node user : in.consumers()) {
                Node n = user;
                for (int i = 0; i < 3 && n != null && (Trace.isLayoutOnly(n)); i++) {
                    Use next = n.output(0) == null || n.output(0).uses().isEmpty() ? null : n.output(0).uses().get(0);
                    n = next == null ? null : next.node();
                }
                if (n == null) {
                    continue;
                }
                if (n.is(Domains.MICROSOFT, "RotaryEmbedding") || n.isStandard("RotaryEmbedding")
                        || (n.isStandard("Gather") && constants.isConstant(n.input(0)))) {
                    return in;
                }
            }
        }
        Value named = graph.input("position_ids");
        return named != null && isInteger(named) ? named : null;
    }

    private Value findAttentionMask(Value ids, Value positionIds) {
        Value named = graph.input("attention_mask");
        if (named != null) {
            return named;
        }
        for (Value in : graph.inputs()) {
            if (in != ids && in != positionIds && isInteger(in) && in.tensorType() != null
                    && in.tensorType().rank() == 2 && !in.isInitializer()) {
                return in;
            }
        }
        return null;
    }

    private static boolean isInteger(Value v) {
        DataType t = v.dtype();
        return t == DataType.INT64 || t == DataType.INT32;
    }

    private Value findLogits(long vocab) {
        Value named = graph.output("logits");
        if (named != null) {
            return named;
        }
        for (Value out : graph.outputs()) {
            if (mlps.linearProducing(out) != null && (vocab < 0 || mlps.linearProducing(out).outFeatures() == vocab)) {
                return out;
            }
        }
        return null;
    }

    private static ExporterStyle exporterStyle(List<DecoderLayer> layers, List<Junction[]> junctions) {
        boolean contrib = junctions.stream().anyMatch(j -> Junction.isSkipNorm(j[1].node()))
                || layers.stream().anyMatch(l -> l.attention().kind().startsWith(Domains.MICROSOFT));
        if (contrib) {
            return ExporterStyle.GENAI;
        }
        return layers.stream().anyMatch(l -> l.nameHint() != null && l.mlp().down().node().name().contains("layers."))
                ? ExporterStyle.TORCH_SCRIPT : ExporterStyle.TORCH_DYNAMO;
    }

    private static String exporterEvidence(ExporterStyle style, List<DecoderLayer> layers) {
        DecoderLayer l = layers.get(0);
        return switch (style) {
            case GENAI -> "contrib operators: " + l.residualAfter().producer().opType() + " residuals, "
                    + l.attention().kind() + " attention";
            case TORCH_SCRIPT -> "standard operators with explicit residual Adds; node names follow module paths ("
                    + l.mlp().down().node().name() + ")";
            case TORCH_DYNAMO -> "standard operators; no layers.N in node names (" + l.mlp().down().node()
                    + "), projections by " + l.mlp().up().node().opType();
        };
    }
}
