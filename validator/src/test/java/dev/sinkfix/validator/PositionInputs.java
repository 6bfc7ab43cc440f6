package dev.sinkfix.validator;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.samples.ExportStyle;
import dev.sinkfix.samples.SampleSpec;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * TorchScript-style samples rewritten to lack inputs, so the patch must find positions the other
 * ways PATCH-SEMANTICS.md lists. The model computes the same function: what an input used to
 * carry is computed inside the graph, as Hugging Face computes it.
 */
final class PositionInputs {
    /** The variants, named by what is left. */
    enum Variant {
        /** No {@code position_ids}: {@code cumsum(attention_mask) - 1}, padding at 1, is computed in the graph. */
        MASK_ONLY("positions from the mask"),
        /** Neither: the mask is all ones and positions count on from the KV cache's length. */
        KV_CACHE_ONLY("positions from the past length");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private PositionInputs() {
    }

    /** Writes {@code preset} (a TORCH one) without the inputs {@code variant} drops, as {@code dir/model.onnx}. */
    static Path write(String preset, Variant variant, Path dir) throws IOException {
        SampleSpec spec = Samples.preset(preset);
        if (spec.style() != ExportStyle.TORCH) {
            throw new IllegalArgumentException("the variants rewrite inline-weight TORCH samples, not " + preset);
        }
        Model model = Samples.build(spec);
        Graph g = model.graph();
        Value ids = g.input(Stepper.INPUT_IDS);
        Value mask = g.input(Stepper.ATTENTION_MASK);
        Value positions = g.input(Stepper.POSITION_IDS);
        Value idsShape = op(g, "Shape", "ids_shape", ids);
        Value seq = op(g, "Gather", "seq", idsShape, int64s(g, "one_index", 1));
        Value fromSeqEnd = op(g, "Neg", "from_seq_end", seq);
        Value end = int64s(g, "to_the_end", Long.MAX_VALUE);
        Value columns = int64s(g, "column_axis", 1);
        Set<String> dropped;
        if (variant == Variant.MASK_ONLY) {
            Value count = op(g, "CumSum", "mask_count", mask, int64Scalar(g, "cumsum_axis", 1));
            Value all = op(g, "Sub", "mask_positions", count, int64s(g, "one", 1));
            Value call = op(g, "Slice", "call_positions", all, fromSeqEnd, end, columns);
            Value callMask = op(g, "Slice", "call_mask", mask, fromSeqEnd, end, columns);
            Value padding = op(g, "Equal", "is_padding", callMask, int64s(g, "zero", 0));
            Value hf = op(g, "Where", "hf_positions", padding, int64s(g, "padding_position", 1), call);
            g.replaceAllUsesWith(positions, hf, false);
            dropped = Set.of(Stepper.POSITION_IDS);
        } else {
            Value pastShape = op(g, "Shape", "past_shape", g.input("past_key_values.0.key"));
            Value past = op(g, "Gather", "past", pastShape, int64s(g, "past_index", 2));
            Value batch = op(g, "Gather", "batch", idsShape, int64s(g, "batch_index", 0));
            Value total = op(g, "Add", "total", past, seq);
            Value maskShape = g.addNode("Concat", "", "/variant/mask_shape", List.of(batch, total),
                    List.of("/variant/mask_shape/output_0"), Attribute.ofInt("axis", 0)).output(0);
            Value ones = op(g, "Expand", "ones", int64s2d(g, "one_one", 1), maskShape);
            g.replaceAllUsesWith(mask, ones, false);
            Value pastScalar = op(g, "Gather", "past_scalar", pastShape, int64Scalar(g, "past_scalar_index", 2));
            Value seqScalar = op(g, "Gather", "seq_scalar", idsShape, int64Scalar(g, "seq_scalar_index", 1));
            Value stop = op(g, "Add", "stop", pastScalar, seqScalar);
            Value range = op(g, "Range", "range", pastScalar, stop, int64Scalar(g, "step", 1));
            Value row = op(g, "Unsqueeze", "row", range, int64s(g, "row_axis", 0));
            g.replaceAllUsesWith(positions, op(g, "Expand", "counted_positions", row, idsShape), false);
            dropped = Set.of(Stepper.POSITION_IDS, Stepper.ATTENTION_MASK);
        }
        g.topologicalSort();
        ModelProto proto = ModelExporter.export(model);
        GraphProto.Builder graph = proto.getGraph().toBuilder().clearInput();
        proto.getGraph().getInputList().stream().filter(in -> !dropped.contains(in.getName())).forEach(graph::addInput);
        Files.createDirectories(dir);
        Path file = dir.resolve("model.onnx");
        try (OutputStream out = Files.newOutputStream(file)) {
            proto.toBuilder().setGraph(graph).build().writeTo(out);
        }
        return file;
    }

    private static Value op(Graph g, String type, String name, Value... inputs) {
        String node = "/variant/" + name;
        return g.addNode(type, "", node, List.of(inputs), List.of(node + "/output_0")).output(0);
    }

    private static Value int64s(Graph g, String name, long... values) {
        return constant(g, name, new long[] {values.length}, values);
    }

    private static Value int64s2d(Graph g, String name, long value) {
        return constant(g, name, new long[] {1, 1}, value);
    }

    private static Value int64Scalar(Graph g, String name, long value) {
        return constant(g, name, new long[0], value);
    }

    private static Value constant(Graph g, String name, long[] dims, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return g.addInitializer(Tensor.ofRaw("/variant/" + name, DataType.INT64, dims, ByteString.copyFrom(b.array())));
    }
}
