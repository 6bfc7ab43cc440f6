package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.match.PositionSource;
import dev.sinkfix.surgery.match.RewrittenSites;
import dev.sinkfix.surgery.record.SinkfixKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sink-neuron patch of PATCH-SEMANTICS.md as graph nodes. Per row, the chosen neurons of
 * the site are captured where the token's absolute position equals the capture position
 * (or taken from {@code past_sink_state.{L}} when no token of this call is there), returned as
 * {@code present_sink_state.{L}}, and written over the site at every later position. Padding
 * (attention_mask 0) is never captured and never overridden. Standard operators only, in the
 * site's own dtype; the selection is done with {@code Where}, so no value is ever multiplied.
 */
public final class SinkPatch {
    private static final long MIN_OPSET = 13;
    private final Decoder decoder;
    private final Graph graph;
    private final RewriteTarget target;
    private final Emitter shared;
    private final Map<Integer, Selection> selections = new HashMap<>();
    private Value idsShape;
    private Value seqLength;
    private Value validTokens;
    private Value positions;

    /**
     * What was done to one layer, for the command's report. {@code site} is the original
     * activation; {@code patchedSite} the tensor its former readers now read.
     */
    public record LayerResult(int layer, String site, String patchedSite, List<Integer> neurons, String stateInput,
                              String stateOutput, int nodesAdded) {
    }

    record Selection(Value captureHere, Value overrideHere, Value rowHasCapture) {
    }

    SinkPatch(Decoder decoder, RewriteTarget target) {
        this.decoder = decoder;
        this.target = target;
        this.graph = target.body();
        this.shared = new Emitter(graph, "/sinkfix/positions/");
    }

    /**
     * Patches every layer of {@code specs}, or nothing: all specs are checked before the graph
     * is touched. The model's metadata records each patch.
     */
    public static List<LayerResult> apply(Model model, Decoder decoder, List<SinkSpec> specs, String toolVersion) {
        RewriteTarget target = RewriteTarget.plain(decoder.graph());
        check(model, decoder, specs, target);
        List<LayerResult> results = patchAll(decoder, target, specs);
        for (int i = 0; i < specs.size(); i++) {
            SinkSpec spec = specs.get(i);
            new PatchRecord(spec.layer(), spec.neurons(), spec.site(), spec.capturePosition(), toolVersion,
                    results.get(i).site(), results.get(i).patchedSite()).writeTo(model);
        }
        return results;
    }

    /**
     * Patches the same layers in both branches of a merged decoder, with one state pair at the
     * top level that both branches read and write. The results are the with-past branch's; the
     * record names both branches' tensors, so the matcher still sees both MLPs through the patch.
     */
    public static List<LayerResult> applyMerged(Model model, MergedDecoder merged, List<SinkSpec> specs,
                                                String toolVersion) {
        RewriteTarget withPast = RewriteTarget.branch(merged.withPast().graph(), merged.branchNode());
        RewriteTarget withoutPast = RewriteTarget.branch(merged.withoutPast().graph(), merged.branchNode());
        check(model, merged.withPast(), specs, withPast);
        check(model, merged.withoutPast(), specs, withoutPast);
        List<LayerResult> results = patchAll(merged.withPast(), withPast, specs);
        List<LayerResult> others = patchAll(merged.withoutPast(), withoutPast, specs);
        for (int i = 0; i < specs.size(); i++) {
            SinkSpec spec = specs.get(i);
            new PatchRecord(spec.layer(), spec.neurons(), spec.site(), spec.capturePosition(), toolVersion,
                    results.get(i).site(), results.get(i).patchedSite()).writeTo(model);
            model.metadata().put(SinkfixKeys.key(spec.layer(), SinkfixKeys.OTHER_BRANCH_SITE), others.get(i).site());
            model.metadata().put(SinkfixKeys.key(spec.layer(), SinkfixKeys.OTHER_BRANCH_PATCHED), others.get(i).patchedSite());
        }
        merged.branchNode().graph().topologicalSort();
        return results;
    }

    private static List<LayerResult> patchAll(Decoder decoder, RewriteTarget target, List<SinkSpec> specs) {
        SinkPatch patch = new SinkPatch(decoder, target);
        List<LayerResult> results = new ArrayList<>();
        for (SinkSpec spec : specs) {
            results.add(patch.patchLayer(spec));
        }
        int sharedNodes = patch.shared.added().size();
        if (!results.isEmpty() && sharedNodes > 0) {
            LayerResult first = results.get(0);
            results.set(0, new LayerResult(first.layer(), first.site(), first.patchedSite(), first.neurons(),
                    first.stateInput(), first.stateOutput(), first.nodesAdded() + sharedNodes));
        }
        patch.graph.topologicalSort();
        return results;
    }

    /** Nodes added once for every patched layer (positions, padding), for the report's count. */
    int sharedNodes() {
        return shared.added().size();
    }

    static String stateInput(int layer) {
        return "past_sink_state." + layer;
    }

    static String stateOutput(int layer) {
        return "present_sink_state." + layer;
    }

    static void check(Model model, Decoder decoder, List<SinkSpec> specs, RewriteTarget target) {
        if (specs.isEmpty()) {
            throw new BadInputException("nothing to patch: give at least one layer and its neurons");
        }
        PatchRecord.requireReadable(model);
        long opset = model.opsetVersion("");
        if (opset < MIN_OPSET) {
            throw new BadInputException("the model imports standard opset " + opset + "; the patch needs opset "
                    + MIN_OPSET + " or newer (convert the model's opset first)");
        }
        Set<Integer> recorded = new HashSet<>();
        PatchRecord.readAll(model).forEach(r -> recorded.add(r.layer()));
        Set<Integer> seen = new HashSet<>();
        int layers = decoder.layers().size();
        List<RewrittenSites.Rewrite> rewritten = RewrittenSites.of(model, decoder);
        for (SinkSpec spec : specs) {
            int l = spec.layer();
            if (l < 0 || l >= layers) {
                throw new BadInputException("layer " + l + " does not exist: the model has " + layers
                        + " layers, 0 to " + (layers - 1));
            }
            if (!seen.add(l)) {
                throw new BadInputException("layer " + l + " is given twice; give each layer once with all its neurons");
            }
            for (RewrittenSites.Rewrite r : rewritten) {
                if (r.layer() == l) {
                    throw new BadInputException(RewrittenSites.refusal(r));
                }
            }
            if (recorded.contains(l) || target.hasInput(stateInput(l))) {
                throw new BadInputException("layer " + l + " is already patched (its " + stateInput(l)
                        + " input and sinkfix.layer." + l + ".* metadata exist); patch the original model instead");
            }
            if (spec.capturePosition() < 0) {
                throw new BadInputException("capture position " + spec.capturePosition() + " is negative; "
                        + "expected 0 or more (1 is the first token after BoS)");
            }
            checkNeurons(decoder.layer(l), spec);
            TensorType siteShape = decoder.layer(l).site(spec.site()).tensorType();
            if (siteShape != null && siteShape.rank() > 0 && siteShape.rank() != 2 && siteShape.rank() != 3) {
                throw new BadInputException("the " + spec.site().cliName() + " site of layer " + l + " ("
                        + decoder.layer(l).site(spec.site()).name() + ") has rank " + siteShape.rank()
                        + "; expected [batch, seq, neurons] or [batch*seq, neurons]");
            }
            DataType type = siteType(decoder, decoder.layer(l), spec);
            if (!type.isFloatingPoint()) {
                throw new BadInputException("the " + spec.site().cliName() + " site of layer " + l + " has element type "
                        + type.onnxName() + QuantizedSite.explain(decoder.layer(l), spec.site())
                        + "; expected a floating-point activation");
            }
        }
    }

    private static void checkNeurons(DecoderLayer layer, SinkSpec spec) {
        long width = layer.requireMlp().intermediateSize();
        if (width <= 0) {
            throw new BadInputException("cannot tell how wide the MLP of layer " + layer.index()
                    + " is (its up projection's weight shape is not known), so neuron ids cannot be checked");
        }
        if (spec.neurons().isEmpty()) {
            throw new BadInputException("no neurons given for layer " + layer.index());
        }
        Set<Integer> unique = new HashSet<>();
        for (int n : spec.neurons()) {
            if (n < 0 || n >= width) {
                throw new BadInputException("neuron " + n + " is out of range for layer " + layer.index()
                        + ": its MLP has " + width + " neurons, 0 to " + (width - 1));
            }
            if (!unique.add(n)) {
                throw new BadInputException("neuron " + n + " is given twice for layer " + layer.index());
            }
        }
    }

    static DataType siteType(Decoder decoder, DecoderLayer layer, SinkSpec spec) {
        DataType t = layer.mlp().siteType(spec.site());
        return t == DataType.UNDEFINED ? decoder.dtype() : t;
    }

    private LayerResult patchLayer(SinkSpec spec) {
        DecoderLayer layer = decoder.layer(spec.layer());
        Value site = layer.site(spec.site());
        List<Use> readers = List.copyOf(site.uses());
        DataType type = siteType(decoder, layer, spec);
        int width = (int) layer.requireMlp().intermediateSize();
        int n = spec.neurons().size();
        Emitter e = new Emitter(graph, "/sinkfix/layers." + spec.layer() + "/");
        Selection sel = selection(spec.capturePosition());

        boolean flat = isFlat(layer, site);
        Value site3 = flat ? e.op("Reshape", "to_batch_seq", site,
                e.op("Concat", "batch_seq_shape", List.of(shape(), e.int64s("minus_one", -1)),
                        Attribute.ofInt("axis", 0))) : site;

        Value chosen = e.op("Gather", "chosen", site3, e.int64s("neurons", toLongs(spec.neurons())),
                Attribute.ofInt("axis", 2));
        Value atCapture = e.op("Where", "at_capture", List.of(sel.captureHere(), chosen, e.zero("zero", type)));
        Value capturedNow = e.op("ReduceSum", "captured_now", atCapture, e.int64s("seq_axis", 1),
                Attribute.ofInt("keepdims", 0));

        Dim batch = decoder.inputIds().tensorType() != null ? decoder.inputIds().tensorType().dim(0)
                : Dim.named("batch_size");
        Value past = target.input(stateInput(spec.layer()), TensorType.of(type, batch, Dim.of(n)));
        Value present = e.opNamed("Where", "state", target.bodyName(stateOutput(spec.layer())),
                List.of(sel.rowHasCapture(), capturedNow, past));
        target.expose(stateOutput(spec.layer()), present, TensorType.of(type, batch, Dim.of(n)));

        long[] spread = new long[width];
        boolean[] pinned = new boolean[width];
        for (int k = 0; k < n; k++) {
            spread[spec.neurons().get(k)] = k;
            pinned[spec.neurons().get(k)] = true;
        }
        Value widened = e.op("Gather", "state_widened", present, e.int64s("neuron_slots", spread),
                Attribute.ofInt("axis", 1));
        Value perRow = e.op("Unsqueeze", "state_per_row", widened, e.int64s("row_axis", 1));
        Value where = e.op("And", "override_mask", sel.overrideHere(), e.bools("pinned_neurons", pinned));
        Value patched3 = e.op("Where", "patched", List.of(where, perRow, site3));
        Value patched = flat ? e.op("Reshape", "to_flat", patched3, e.op("Shape", "flat_shape", site)) : patched3;

        for (Use u : readers) {
            u.node().setInput(u.index(), patched);
        }
        return new LayerResult(spec.layer(), site.name(), patched.name(), spec.neurons(), past.name(),
                stateOutput(spec.layer()),
                e.added().size());
    }

    /** A dynamo {@code Gemm} MLP works on {@code [batch*seq, features]}: the patch reshapes around it. */
    static boolean isFlat(DecoderLayer layer, Value site) {
        TensorType t = site.tensorType();
        if (t != null && t.rank() > 0) {
            return t.rank() == 2;
        }
        return layer.requireMlp().up().node().isStandard("Gemm");
    }

    /** {@code [batch, seq]} of this call, from the token-id input. */
    Value shape() {
        if (idsShape == null) {
            idsShape = shared.op("Shape", "ids_shape", decoder.inputIds());
        }
        return idsShape;
    }

    private Value seqLength() {
        if (seqLength == null) {
            seqLength = shared.op("Gather", "seq_len", shape(), shared.int64s("seq_index", 1),
                    Attribute.ofInt("axis", 0));
        }
        return seqLength;
    }

    /** The last {@code seq} columns of a {@code [batch, past+seq]} tensor: this call's tokens. */
    private Value lastColumns(Value v, String name) {
        Value start = shared.op("Neg", name + "_start", seqLength());
        return shared.op("Slice", name, List.of(v, start, shared.int64s(name + "_end", Long.MAX_VALUE),
                shared.int64s(name + "_axis", 1)));
    }

    /** True for real tokens of this call, false for padding; null when the model has no mask. */
    private Value validTokens() {
        if (validTokens == null && decoder.attentionMask() != null) {
            Value mask = lastColumns(decoder.attentionMask(), "mask_of_call");
            validTokens = shared.op("Cast", "real_token", mask, Attribute.ofInt("to", DataType.BOOL.code()));
        }
        return validTokens;
    }

    /** Absolute position of every token of this call, {@code [batch, seq]} int64. */
    private Value positions() {
        if (positions != null) {
            return positions;
        }
        positions = switch (decoder.positions()) {
            case POSITION_IDS -> decoder.positionIds().dtype() == DataType.INT64 ? decoder.positionIds()
                    : shared.op("Cast", "position_ids_int64", decoder.positionIds(),
                    Attribute.ofInt("to", DataType.INT64.code()));
            case ATTENTION_MASK -> {
                Value mask = shared.op("Cast", "mask_int64", decoder.attentionMask(),
                        Attribute.ofInt("to", DataType.INT64.code()));
                Value count = shared.op("CumSum", "mask_cumsum", mask, shared.int64Scalar("cumsum_axis", 1));
                yield lastColumns(shared.op("Sub", "mask_positions", count, shared.int64s("one", 1)), "positions");
            }
            // A model with nothing but input_ids cannot be called with a past: its tokens are at 0..seq-1.
            case PAST_LENGTH, NONE -> {
                Value past = decoder.positions() == PositionSource.NONE ? shared.int64Scalar("no_past", 0)
                        : shared.op("Gather", "past_len", shared.op("Shape", "past_shape",
                        decoder.kvCache().get(0).pastKey()), shared.int64s("past_index", 2), Attribute.ofInt("axis", 0));
                Value seq = shared.op("Gather", "seq_len_scalar", shape(), shared.int64Scalar("seq_scalar_index", 1),
                        Attribute.ofInt("axis", 0));
                Value steps = shared.op("Range", "steps", List.of(shared.int64Scalar("zero", 0), seq,
                        shared.int64Scalar("step", 1)));
                Value row = shared.op("Unsqueeze", "row", shared.op("Add", "row_positions", steps, past),
                        shared.int64s("batch_axis", 0));
                yield shared.op("Expand", "positions", row, shape());
            }
        };
        return positions;
    }

    Selection selection(int capturePosition) {
        return selections.computeIfAbsent(capturePosition, c -> {
            String tag = "capture_" + c;
            Value at = shared.int64s(tag + "_position", c);
            Value capture = shared.op("Equal", tag + "_here", positions(), at);
            Value override = shared.op("Greater", tag + "_after", positions(), at);
            if (validTokens() != null) {
                capture = shared.op("And", tag + "_here_real", capture, validTokens());
                override = shared.op("And", tag + "_after_real", override, validTokens());
            }
            Value count = shared.op("ReduceSum", tag + "_count", shared.op("Cast", tag + "_count_int", capture,
                    Attribute.ofInt("to", DataType.INT64.code())), shared.int64s(tag + "_seq_axis", 1),
                    Attribute.ofInt("keepdims", 1));
            Value rowHas = shared.op("Greater", tag + "_in_call", count, shared.int64s(tag + "_none", 0));
            Value lastAxis = shared.int64s(tag + "_last_axis", 2);
            return new Selection(shared.op("Unsqueeze", tag + "_here_3d", capture, lastAxis),
                    shared.op("Unsqueeze", tag + "_after_3d", override, lastAxis), rowHas);
        });
    }

    private static long[] toLongs(List<Integer> values) {
        return values.stream().mapToLong(Integer::longValue).toArray();
    }
}
