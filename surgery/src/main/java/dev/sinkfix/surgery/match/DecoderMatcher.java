package dev.sinkfix.surgery.match;

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
    /** Where the decoder's nodes are: the main graph, or a branch of a merged decoder's If. */
    private final Graph graph;
    /** Where the model's inputs are. */
    private final Graph scope;
    private final Constants constants = new Constants();
    private final List<Node> order;
    private final MlpFinder mlps;
    private final List<String> notes = new ArrayList<>();

    private DecoderMatcher(Model model, Graph body) {
        this.model = model;
        this.graph = body;
        this.scope = model.graph();
        this.order = graph.topologicalOrder();
        // The main graph's order and constants are the matcher's own unless it reads an If branch.
        this.mlps = new MlpFinder(order, constants, graph == scope ? PatchedSites.of(model, order, constants)
                : PatchedSites.of(model));
    }

    /** Matches the model or refuses it with the part that was not found. */
    public static Decoder match(Model model) {
        return new DecoderMatcher(model, model.graph()).match();
    }

    /** Matches the decoder held by {@code branch}, a subgraph that reads the model's inputs from the outer scope. */
    static Decoder matchBranch(Model model, Graph branch) {
        return new DecoderMatcher(model, branch).match();
    }

    private Decoder match() {
        ResidualStream stream = ResidualStream.find(order, constants, notes);
        if (stream == null || stream.junctions().size() < 2) {
            throw noStream(stream);
        }
        List<Junction> js = stream.junctions();
        notes.add("residual stream from " + stream.embedding() + ": " + js.size() + " junctions ("
                + js.get(0).node().opType() + ")");
        if (js.size() % 2 != 0) {
            throw new NotADecoderException("the residual stream from " + stream.embedding() + " has " + js.size()
                    + " junctions, expected two per layer (attention, then MLP); the last is " + js.get(js.size() - 1).node(),
                    notes);
        }
        Set<Node> stops = Collections.newSetFromMap(new IdentityHashMap<>());
        js.forEach(j -> stops.add(j.node()));
        List<DecoderLayer> layers = new ArrayList<>();
        List<KvCachePair> kv = new ArrayList<>();
        for (int i = 0; i < js.size() / 2; i++) {
            Junction attn = js.get(2 * i);
            Junction post = js.get(2 * i + 1);
            AttentionScan scan = scanAttention(i, attn, stops);
            if (scan.kv != null) {
                kv.add(scan.kv);
            }
            MlpMatch mlp = mlps.endingAt(post.sublayer());
            String why = mlp.ok() ? null : "pattern down(act(gate(x)) * up(x)) ending at " + post.sublayer().name()
                    + " (joined to the residual stream at " + post.node() + "): " + mlp.why();
            notes.add("layer " + i + ": " + (mlp.ok() ? "MLP recognised: gate " + mlp.mlp().gate().node() + ", up "
                    + mlp.mlp().up().node() + ", down " + mlp.mlp().down().node() : "MLP not recognised: " + why));
            layers.add(new DecoderLayer(i, nameHint(post.sublayer()), mlp.mlp(), scan.block, attn.sublayer(),
                    post.sublayer(), post.sum(), why));
        }
        LayerCrossCheck.check(layers, kv, notes);
        if (layers.stream().noneMatch(DecoderLayer::recognized)) {
            throw new NotADecoderException("no layer's MLP was recognised; layer 0: " + layers.get(0).whyUnrecognized(),
                    notes);
        }
        return describe(stream, layers, js, kv);
    }

    /** Why there is no residual stream: no MLP at all (the common case of a wrong file), or MLPs off the stream. */
    private NotADecoderException noStream(ResidualStream stream) {
        List<GatedMlp> found = mlps.find(order);
        if (found.isEmpty()) {
            if (layersInSubgraphs()) {
                return new NotADecoderException("its layers live inside If/Loop subgraphs (a merged decoder with a "
                        + "use_cache_branch): inspect, patch and tap read optimum's merged form; for the other "
                        + "commands export the decoder with past key values as one graph", notes);
            }
            return new NotADecoderException("no gated MLP down(act(gate(x)) * up(x)) was found: no Mul of a "
                    + "projection and an activated projection of the same input that feeds a third projection", notes);
        }
        String start = stream == null ? "no token embedding (a Gather of a constant table by a graph input) was found"
                : "the token embedding " + stream.embedding() + " reaches " + stream.junctions().size()
                + " residual junctions";
        return new NotADecoderException("the MLP of " + found.get(0).down().node() + " is not on a residual stream "
                + "that starts at a token embedding: " + start, notes);
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

    /** What the names around a layer's MLP output say of its index: the down projection's node, output or weight. */
    private String nameHint(Value mlpOutput) {
        Node p = Layout.behind(mlpOutput, PatchedSites.none()).producer();
        List<String> names = p == null ? List.of(mlpOutput.name())
                : List.of(p.name(), p.output(0) == null ? "" : p.output(0).name(),
                p.input(1) == null ? "" : p.input(1).name());
        for (String name : names) {
            Matcher m = LAYER_IN_NAME.matcher(name);
            if (m.find()) {
                return "layers." + m.group(1);
            }
        }
        return null;
    }

    private Decoder describe(ResidualStream stream, List<DecoderLayer> layers, List<Junction> junctions,
                             List<KvCachePair> kv) {
        Value embeddings = stream.start();
        Node gather = stream.embedding();
        Value ids = Trace.back(gather.input(1));
        Tensor table = Constants.backingTensor(gather.input(0));
        long vocab = table != null && table.dims().size() == 2 ? table.dims().get(0) : -1;
        long hidden = table != null && table.dims().size() == 2 ? table.dims().get(1) * valuesPerElement(gather, table) : -1;

        DecoderLayer first = layers.stream().filter(DecoderLayer::recognized).findFirst().orElseThrow();
        AttentionBlock attention = layers.get(0).attention();
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

        Map<String, Long> opsets = model.opsets();
        List<DecoderLayer> recognized = layers.stream().filter(DecoderLayer::recognized).toList();
        ExporterStyle style = exporterStyle(recognized, junctions);
        FamilyGuess family = FamilyGuess.of(model, layers, heads, kvHeads);
        return new Decoder(family.family(), family.evidence(), style, exporterEvidence(style, recognized),
                graph, List.copyOf(layers), hidden, first.mlp().intermediateSize(), heads, kvHeads, headDim, vocab,
                siteType(first), model.opsetVersion(""), opsets, ids, mask, positionIds, positions, List.copyOf(kv),
                embeddings, findLogits(vocab), List.copyOf(notes));
    }

    /** A {@code GatherBlockQuantized} table of uint8 packs {@code 8 / bits} values into each byte. */
    private static long valuesPerElement(Node gather, Tensor table) {
        if (gather.is(Domains.MICROSOFT, "GatherBlockQuantized") && table.dtype() == DataType.UINT8) {
            long bits = gather.intAttribute("bits", 4);
            return bits > 0 && bits < 8 && 8 % bits == 0 ? 8 / bits : 1;
        }
        return 1;
    }

    private DataType siteType(DecoderLayer layer) {
        return layer.mlp().up().dtype();
    }

    private Value findPositionIds(Value ids) {
        for (Value in : scope.inputs()) {
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
        Value named = scope.input("position_ids");
        return named != null && isInteger(named) ? named : null;
    }

    private Value findAttentionMask(Value ids, Value positionIds) {
        Value named = scope.input("attention_mask");
        if (named != null) {
            return named;
        }
        for (Value in : scope.inputs()) {
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

    private static ExporterStyle exporterStyle(List<DecoderLayer> layers, List<Junction> junctions) {
        boolean contrib = junctions.stream().anyMatch(j -> Junction.isSkipNorm(j.node()))
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
