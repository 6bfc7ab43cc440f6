package dev.sinkfix.cli;

import dev.sinkfix.samples.TensorBytes;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stateful sink patch written the way another tool or a person would write it: plain ONNX
 * nodes, its own names ({@code /hand/...}, state {@code past_pinned.L} / {@code present_pinned.L}),
 * positions from {@code cumsum(attention_mask) - 1}, and no {@code sinkfix.*} metadata. Not
 * {@code SinkPatch}: validate must judge it from the original alone. Each {@link Mutation} plants
 * one bug a patch can have.
 */
final class HandPatch {
    enum Mutation {
        /** PATCH-SEMANTICS.md as written. */
        NONE,
        /** The state is never captured: every call returns the state it was fed. */
        NEVER_CAPTURE,
        /** Pins from the capture position on, with the state fed in (before it captured). */
        AT_CAPTURE,
        /** Pins from one position before the capture position. */
        BEFORE_CAPTURE,
        /** Pins neuron n+1 in place of the first neuron n. */
        WRONG_NEURON,
        /** Pins only in a call that holds the capture position: decode calls are left alone. */
        ONLY_CAPTURE_CALL,
        /** Returns a state twice as wide as it reads: the next call cannot be fed it. */
        STATE_WRONG_SHAPE,
        /** Also writes the first neuron's value over one more neuron. */
        EXTRA_NEURON,
        /** Reads an input nobody feeds: a scale on the pinned value. */
        UNKNOWN_INPUT
    }

    private final Graph g;
    private final DataType dtype;
    private final String base;
    private int counter;

    private HandPatch(Graph g, DataType dtype, int layer) {
        this.g = g;
        this.dtype = dtype;
        this.base = "/hand/layers." + layer + "/";
    }

    /**
     * Patches {@code site} (a {@code [batch, seq, width]} tensor of {@code model}) in place.
     *
     * @param extra for {@link Mutation#EXTRA_NEURON}, the neuron also written
     */
    static void apply(Model model, String site, int layer, List<Integer> neurons, int width, int capture,
                      Mutation mutation, int extra) {
        Graph g = model.graph();
        Value a = g.value(site);
        DataType dtype = a.dtype() == DataType.UNDEFINED ? DataType.FLOAT : a.dtype();
        new HandPatch(g, dtype, layer).build(a, layer, neurons, width, capture, mutation, extra);
        model.metadata().keySet().removeIf(k -> k.startsWith("sinkfix."));
        g.topologicalSort();
    }

    private void build(Value a, int layer, List<Integer> neurons, int width, int capture, Mutation mutation,
                       int extra) {
        List<Use> readers = new ArrayList<>(a.uses());
        Value ids = g.input("input_ids");
        Value maskIn = g.input("attention_mask");
        int k = neurons.size();
        List<Integer> pinned = new ArrayList<>(neurons);
        if (mutation == Mutation.WRONG_NEURON) {
            pinned.set(0, neurons.get(0) + 1);
        }

        Value mask = op("Cast", List.of(maskIn), Attribute.ofInt("to", 7));
        Value seq = op("Gather", List.of(op("Shape", List.of(ids)), ints(1)), Attribute.ofInt("axis", 0));
        Value from = op("Neg", List.of(seq));
        Value all = op("Sub", List.of(op("CumSum", List.of(mask, scalar(1))), scalar(1)));
        Value pos = op("Slice", List.of(all, from, ints(Long.MAX_VALUE), ints(1)));
        Value real = op("Equal", List.of(op("Slice", List.of(mask, from, ints(Long.MAX_VALUE), ints(1))), scalar(1)));
        Value here = op("And", List.of(real, op("Equal", List.of(pos, scalar(capture)))));
        Value after = switch (mutation) {
            case AT_CAPTURE -> op("And", List.of(real, op("GreaterOrEqual", List.of(pos, scalar(capture)))));
            case BEFORE_CAPTURE -> op("And", List.of(real, op("GreaterOrEqual", List.of(pos, scalar(capture - 1)))));
            default -> op("And", List.of(real, op("Greater", List.of(pos, scalar(capture)))));
        };

        Value past = g.addInput("past_pinned." + layer, new TensorType(dtype,
                List.of(ids.tensorType().dim(0), Dim.of(k))));
        Value selected = op("Gather", List.of(a, ints(pinned.stream().mapToLong(Integer::longValue).toArray())),
                Attribute.ofInt("axis", 2));
        Value hereF = op("Cast", List.of(here), Attribute.ofInt("to", dtype == DataType.FLOAT ? 1 : 10));
        Value captured = op("ReduceSum", List.of(op("Mul", List.of(selected, op("Unsqueeze", List.of(hereF, ints(2))))),
                ints(1)), Attribute.ofInt("keepdims", 0));
        Value rowHasCapture = op("Greater", List.of(op("ReduceSum", List.of(hereF, ints(1)),
                Attribute.ofInt("keepdims", 1)), floats(new float[0], 0f)));
        Value state = mutation == Mutation.NEVER_CAPTURE ? op("Identity", List.of(past))
                : op("Where", List.of(rowHasCapture, captured, past));
        if (mutation == Mutation.ONLY_CAPTURE_CALL) {
            after = op("And", List.of(after, rowHasCapture));
        }

        float[] oneHot = new float[k * width];
        boolean[] chosen = new boolean[width];
        for (int i = 0; i < k; i++) {
            oneHot[i * width + pinned.get(i)] = 1;
            chosen[pinned.get(i)] = true;
        }
        if (mutation == Mutation.EXTRA_NEURON) {
            oneHot[extra] = 1;
            chosen[extra] = true;
        }
        Value written = mutation == Mutation.AT_CAPTURE ? past : state;
        if (mutation == Mutation.UNKNOWN_INPUT) {
            Value scale = g.addInput("sink_scale", new TensorType(dtype, List.of(Dim.of(1))));
            written = op("Mul", List.of(written, scale));
        }
        Value full = op("Unsqueeze", List.of(op("MatMul", List.of(written, floats(new float[] {k, width}, oneHot))),
                ints(1)));
        Value where = op("And", List.of(op("Unsqueeze", List.of(after, ints(2))), bools(chosen)));
        Value patched = op("Where", List.of(where, full, a));
        for (Use use : readers) {
            use.node().setInput(use.index(), patched);
        }
        Value named = mutation == Mutation.STATE_WRONG_SHAPE
                ? g.addNode("Concat", "", base + "present", List.of(state, state), List.of("present_pinned." + layer),
                        Attribute.ofInt("axis", 1)).output(0)
                : g.addNode("Identity", "", base + "present", List.of(state), List.of("present_pinned." + layer))
                        .output(0);
        named.setType(new TensorType(dtype, List.of(ids.tensorType().dim(0),
                mutation == Mutation.STATE_WRONG_SHAPE ? Dim.unknown() : Dim.of(k))));
        g.addOutput(named);
    }

    private Value op(String type, List<Value> inputs, Attribute... attributes) {
        String name = base + type + "_" + counter++;
        return g.addNode(type, "", name, inputs, List.of(name + "/out"), attributes).output(0);
    }

    private Value ints(long... values) {
        return g.addInitializer(Tensor.ofRaw(base + "c" + counter++, DataType.INT64, new long[] {values.length},
                TensorBytes.longs(values)));
    }

    private Value scalar(long value) {
        return g.addInitializer(Tensor.ofRaw(base + "c" + counter++, DataType.INT64, new long[0],
                TensorBytes.longs(new long[] {value})));
    }

    /** {@code dims} (as floats, empty for a scalar) and the values, in the site's dtype. */
    private Value floats(float[] dims, float... values) {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = (long) dims[i];
        }
        return g.addInitializer(Tensor.ofRaw(base + "c" + counter++, dtype, shape, TensorBytes.floats(values, dtype)));
    }

    private Value bools(boolean[] values) {
        byte[] raw = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            raw[i] = (byte) (values[i] ? 1 : 0);
        }
        return g.addInitializer(Tensor.ofRaw(base + "c" + counter++, DataType.BOOL, new long[] {values.length},
                com.google.protobuf.ByteString.copyFrom(raw)));
    }

    @Override
    public String toString() {
        return "HandPatch" + Arrays.asList(base, dtype);
    }
}
