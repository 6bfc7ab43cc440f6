package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.match.TensorSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Taps: extra graph outputs that show what the poster measures. Norms and probabilities are
 * computed in fp32 whatever the model's dtype (BoS norms overflow fp16), with standard operators
 * only; nothing the model computed before changes. Outputs: {@code tap.embed_norm},
 * {@code tap.resid_norm.{L}}, {@code tap.attn_norm.{L}}, {@code tap.mlp_norm.{L}} {@code [batch, seq]};
 * {@code tap.attn_to_first.{L}} {@code [batch, heads, seq]}; {@code tap.site.{L}.{site}}
 * {@code [batch, seq, n]}; {@code tap.resid.{L}} {@code [batch, seq, hidden]}.
 */
public final class Taps {
    public static final String PREFIX = "tap.";
    private final Model model;
    private final Decoder decoder;
    private final Graph graph;
    private final Emitter shared;
    private final List<String> added = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private Value idsShape;

    /** What was added, and what could not be and why (a fused attention has no probabilities). */
    public record Result(List<String> added, List<String> skipped) {
    }

    private Taps(Model model, Decoder decoder) {
        this.model = model;
        this.decoder = decoder;
        this.graph = decoder.graph();
        this.shared = new Emitter(graph, "/sinkfix/taps/");
    }

    public static Result apply(Model model, Decoder decoder, TapRequest request) {
        TapRequest r = request.isEmpty() ? new TapRequest(request.layers(), true, false, Map.of(), false) : request;
        int layers = decoder.layers().size();
        if (r.layers() != null) {
            for (int l : r.layers()) {
                if (l < 0 || l >= layers) {
                    throw new BadInputException("layer " + l + " does not exist: the model has " + layers
                            + " layers, 0 to " + (layers - 1));
                }
            }
        }
        r.sites().forEach((site, neurons) -> {
            for (DecoderLayer layer : decoder.layers()) {
                if (r.covers(layer.index())) {
                    checkNeurons(layer, site, neurons);
                    QuantizedSite.requireFloat(layer, site);
                }
            }
        });
        Taps taps = new Taps(model, decoder);
        if (r.norms()) {
            taps.norm("embed_norm", decoder.embeddings());
        }
        for (DecoderLayer layer : decoder.layers()) {
            if (r.covers(layer.index())) {
                taps.tapLayer(layer, r);
            }
        }
        taps.graph.topologicalSort();
        return new Result(List.copyOf(taps.added), List.copyOf(taps.skipped));
    }

    private static void checkNeurons(DecoderLayer layer, MlpSite site, List<Integer> neurons) {
        long width = layer.mlp().intermediateSize();
        if (neurons.isEmpty()) {
            throw new BadInputException("no neurons given for the " + site.cliName() + " site tap");
        }
        for (int n : neurons) {
            if (n < 0 || (width > 0 && n >= width)) {
                throw new BadInputException("neuron " + n + " is out of range for layer " + layer.index()
                        + ": its MLP has " + width + " neurons, 0 to " + (width - 1));
            }
        }
    }

    private void tapLayer(DecoderLayer layer, TapRequest r) {
        int l = layer.index();
        if (r.norms()) {
            norm("resid_norm." + l, residualAfter(layer));
            norm("attn_norm." + l, layer.attentionOutput());
            norm("mlp_norm." + l, layer.mlpOutput());
        }
        if (r.attentionToFirst()) {
            Value probs = layer.attention().probabilities();
            if (probs == null) {
                skipped.add(PREFIX + "attn_to_first." + l + ": " + layer.attention().whyNoProbabilities());
            } else {
                Emitter e = emitter(l);
                Value first = e.op("Gather", "attn_to_first", probs, e.int64Scalar("first_key", 0),
                        Attribute.ofInt("axis", -1));
                long heads = layer.attention().heads();
                output("attn_to_first." + l, e, first, heads > 0 ? Dim.of(heads) : Dim.named("heads"), null);
            }
        }
        r.sites().forEach((site, neurons) -> {
            Emitter e = emitter(l);
            Value tensor = currentSite(layer, site);
            Value chosen = e.op("Gather", "site_" + site.cliName(), tensor,
                    e.int64s("site_" + site.cliName() + "_neurons", neurons.stream().mapToLong(Integer::longValue).toArray()),
                    Attribute.ofInt("axis", -1));
            if (isFlat(layer.site(site))) {
                chosen = e.op("Reshape", "site_" + site.cliName() + "_batch_seq", chosen,
                        e.op("Concat", "site_shape", List.of(idsShape(), e.int64s("n", neurons.size())),
                                Attribute.ofInt("axis", 0)));
            }
            output("site." + l + "." + site.cliName(), e, chosen, null, Dim.of(neurons.size()));
        });
        if (r.residualVectors()) {
            long hidden = decoder.hiddenSize();
            output("resid." + l, emitter(l), residualAfter(layer), null, hidden > 0 ? Dim.of(hidden) : Dim.named("hidden"));
        }
    }

    /** The residual stream after the layer; a genai final norm that left out its sum is asked for it. */
    private Value residualAfter(DecoderLayer layer) {
        TensorSlot slot = layer.residualAfter();
        if (slot.value() != null) {
            return slot.value();
        }
        return slot.producer().materializeOutput(slot.index(),
                graph.freshValueName("/sinkfix/layers." + layer.index() + "/residual_sum"));
    }

    /** The tensor the model's readers read: the patched one where a sink patch replaced the site. */
    private Value currentSite(DecoderLayer layer, MlpSite site) {
        for (PatchRecord p : PatchRecord.readAll(model)) {
            if (p.layer() == layer.index() && p.site() == site && p.patchedTensor() != null
                    && graph.value(p.patchedTensor()) != null) {
                return graph.value(p.patchedTensor());
            }
        }
        return layer.site(site);
    }

    private void norm(String name, Value v) {
        if (v == null) {
            skipped.add(PREFIX + name + ": the matcher found no such tensor");
            return;
        }
        Emitter e = shared;
        Value x = v.dtype() == DataType.FLOAT ? v
                : e.op("Cast", name + "/fp32", v, Attribute.ofInt("to", DataType.FLOAT.code()));
        Value squares = e.op("Mul", name + "/square", x, x);
        Value sum = e.op("ReduceSum", name + "/sum", squares, e.int64s(name + "/last_axis", -1),
                Attribute.ofInt("keepdims", 0));
        Value n = e.op("Sqrt", name + "/sqrt", sum);
        if (isFlat(v)) {
            n = e.op("Reshape", name + "/batch_seq", n, idsShape());
        }
        output(name, e, n, null, null);
    }

    /** Adds {@code v} as output {@code tap.name}, in fp32; {@code middle} is a dimension between batch and seq, if any. */
    private void output(String name, Emitter e, Value v, Dim middle, Dim last) {
        String full = PREFIX + name;
        if (graph.output(full) != null || graph.value(full) != null) {
            skipped.add(full + ": the model has it already");
            return;
        }
        Value out = e.opNamed("Cast", name + "/fp32", full, List.of(v), Attribute.ofInt("to", DataType.FLOAT.code()));
        List<Dim> dims = new ArrayList<>();
        dims.add(batchDim());
        if (middle != null) {
            dims.add(middle);
        }
        dims.add(seqDim());
        if (last != null) {
            dims.add(last);
        }
        out.setType(new TensorType(DataType.FLOAT, List.copyOf(dims)));
        graph.addOutput(out);
        added.add(full);
    }

    private Dim batchDim() {
        TensorType t = decoder.inputIds().tensorType();
        return t != null ? t.dim(0) : Dim.named("batch_size");
    }

    private Dim seqDim() {
        TensorType t = decoder.inputIds().tensorType();
        return t != null ? t.dim(1) : Dim.named("sequence_length");
    }

    private Emitter emitter(int layer) {
        return new Emitter(graph, "/sinkfix/taps/layers." + layer + "/");
    }

    private Value idsShape() {
        if (idsShape == null) {
            idsShape = shared.op("Shape", "ids_shape", decoder.inputIds());
        }
        return idsShape;
    }

    /** A dynamo Gemm works on {@code [batch*seq, features]}. */
    private static boolean isFlat(Value v) {
        TensorType t = v.tensorType();
        if (t != null && t.rank() > 0) {
            return t.rank() == 2;
        }
        return v.producer() != null && v.producer().isStandard("Gemm");
    }
}
