package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Clamp mode of PATCH-SEMANTICS.md: a stateless patch for runtimes that thread only the KV cache.
 * After the capture position, each chosen neuron of the site is cut to its ordinary range
 * ({@code Min(Max(site, lo), hi)}, selected by {@code Where} on the same position and padding
 * mask the replay patch uses); every other neuron, position and padding slot passes through bit
 * for bit ({@code -inf}/{@code +inf} bounds). The model's inputs and outputs do not change.
 */
public final class ClampPatch {
    private ClampPatch() {
    }

    /** What was done to one layer: the original site, the tensor its readers now read, the ranges. */
    public record LayerResult(int layer, String site, String patchedSite, List<Integer> neurons,
                              List<NeuronRange> ranges, int nodesAdded) {
    }

    /** Clamps every layer of {@code specs}, or nothing: all are checked before the graph is touched. */
    public static List<LayerResult> apply(Model model, Decoder decoder, List<ClampSpec> specs, String toolVersion) {
        RewriteTarget target = RewriteTarget.plain(decoder.graph());
        SinkPatch.check(model, decoder, specs.stream().map(ClampSpec::sink).toList(), target);
        for (ClampSpec spec : specs) {
            if (spec.ranges().size() != spec.sink().neurons().size()) {
                throw new BadInputException("layer " + spec.sink().layer() + ": " + spec.sink().neurons().size()
                        + " neurons but " + spec.ranges().size() + " ranges; give one LO:HI per neuron");
            }
        }
        SinkPatch positions = new SinkPatch(decoder, target);
        List<LayerResult> results = new ArrayList<>();
        for (ClampSpec spec : specs) {
            LayerResult r = clampLayer(decoder, positions, spec);
            SinkSpec s = spec.sink();
            new PatchRecord(s.layer(), s.neurons(), s.site(), s.capturePosition(), toolVersion, r.site(),
                    r.patchedSite()).writeTo(model);
            new ClampRecord(s.layer(), spec.ranges(), spec.source()).writeTo(model);
            results.add(r);
        }
        if (!results.isEmpty() && positions.sharedNodes() > 0) {
            LayerResult f = results.get(0);
            results.set(0, new LayerResult(f.layer(), f.site(), f.patchedSite(), f.neurons(), f.ranges(),
                    f.nodesAdded() + positions.sharedNodes()));
        }
        decoder.graph().topologicalSort();
        return results;
    }

    private static LayerResult clampLayer(Decoder decoder, SinkPatch positions, ClampSpec spec) {
        SinkSpec s = spec.sink();
        Graph graph = decoder.graph();
        DecoderLayer layer = decoder.layer(s.layer());
        Value site = layer.site(s.site());
        List<Use> readers = List.copyOf(site.uses());
        DataType type = SinkPatch.siteType(decoder, layer, s);
        int width = (int) layer.mlp().intermediateSize();
        Emitter e = new Emitter(graph, "/sinkfix/layers." + s.layer() + "/");
        SinkPatch.Selection sel = positions.selection(s.capturePosition());

        boolean flat = SinkPatch.isFlat(layer, site);
        Value site3 = flat ? e.op("Reshape", "to_batch_seq", site,
                e.op("Concat", "batch_seq_shape", List.of(positions.shape(), e.int64s("minus_one", -1)),
                        Attribute.ofInt("axis", 0))) : site;

        float[] lo = new float[width];
        float[] hi = new float[width];
        Arrays.fill(lo, Float.NEGATIVE_INFINITY);
        Arrays.fill(hi, Float.POSITIVE_INFINITY);
        for (int k = 0; k < s.neurons().size(); k++) {
            NeuronRange r = spec.ranges().get(k);
            lo[s.neurons().get(k)] = outward(r.lo(), -1, type);
            hi[s.neurons().get(k)] = outward(r.hi(), 1, type);
        }
        Value low = bound(e, "range_lo", lo, type);
        Value high = bound(e, "range_hi", hi, type);
        Value clamped = e.op("Min", "clamp_hi", e.op("Max", "clamp_lo", site3, low), high);
        Value patched3 = e.op("Where", "clamped", List.of(sel.overrideHere(), clamped, site3));
        Value patched = flat ? e.op("Reshape", "to_flat", patched3, e.op("Shape", "flat_shape", site)) : patched3;
        for (Use u : readers) {
            u.node().setInput(u.index(), patched);
        }
        return new LayerResult(s.layer(), site.name(), patched.name(), s.neurons(), spec.ranges(), e.added().size());
    }

    /** The bounds in the site's dtype: an fp32 constant, cast once (ONNX Runtime folds the Cast). */
    private static Value bound(Emitter e, String name, float[] values, DataType type) {
        Value v = e.floats(name, values);
        return type == DataType.FLOAT ? v : e.op("Cast", name + "_cast", v, Attribute.ofInt("to", type.code()));
    }

    /**
     * Widens a bound by one unit in the last place of a half-precision dtype, so that rounding it
     * to nearest can never narrow the range: a value inside the recorded range stays untouched.
     */
    static float outward(float v, int direction, DataType type) {
        double ulp = switch (type) {
            case FLOAT16 -> Math.abs(v) * 0x1p-10 + 0x1p-24;
            case BFLOAT16 -> Math.abs(v) * 0x1p-7 + 0x1p-126;
            default -> 0;
        };
        return (float) (v + direction * ulp);
    }
}
