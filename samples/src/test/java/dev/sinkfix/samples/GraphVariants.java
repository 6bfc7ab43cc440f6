package dev.sinkfix.samples;

import com.google.protobuf.ByteString;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.GatedMlp;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Sample graphs rewritten into the forms other exporters write: extra nodes inside an MLP,
 * layout and precision ops between its projections, activation and product. Each edit leaves
 * the function the model computes unchanged, so a patched variant must give the patched sample's
 * outputs.
 */
final class GraphVariants {
    private GraphVariants() {
    }

    /** Makes every reader of {@code v} read {@code chain(v)} instead. */
    static void insertAfter(Graph g, Value v, UnaryOperator<Value> chain) {
        List<Use> readers = List.copyOf(v.uses());
        Value out = chain.apply(v);
        for (Use u : readers) {
            u.node().setInput(u.index(), out);
        }
    }

    static Value op(Graph g, String opType, String name, List<Value> inputs, Attribute... attributes) {
        String node = g.freshNodeName("/variant/" + name);
        return g.addNode(opType, "", node, inputs, List.of(g.freshValueName(node + "/output_0")), attributes).output(0);
    }

    static Value int64s(Graph g, String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return g.addInitializer(Tensor.ofRaw(g.freshValueName("/variant/" + name), DataType.INT64,
                new long[] {values.length}, ByteString.copyFrom(b.array())));
    }

    static Value floatScalar(Graph g, String name, float value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        return g.addInitializer(Tensor.ofRaw(g.freshValueName("/variant/" + name), DataType.FLOAT, new long[0],
                ByteString.copyFrom(b.array())));
    }

    /** One layer's MLP in the unchanged sample. */
    static GatedMlp mlp(Model model, int layer) {
        return DecoderMatcher.match(model).layer(layer).mlp();
    }

    /** Layer {@code layer}'s up projection gets one more node after it, {@code u * 1}: same values, unknown shape. */
    static void extraNodeAfterUp(Model model, int layer) {
        Graph g = model.graph();
        Value up = mlp(model, layer).up().output();
        insertAfter(g, up, u -> op(g, "Mul", "times_one", List.of(u, floatScalar(g, "one", 1f))));
    }

    /** The optimised dynamo SiLU: {@code Mul(g, Reshape(Sigmoid(Reshape(g, [-1, I])), Shape(g)))}. */
    static void reshapedSilu(Model model, int layer) {
        Graph g = model.graph();
        GatedMlp mlp = mlp(model, layer);
        Value gate = mlp.gate().output();
        Node sigmoid = gate.uses().stream().map(Use::node).filter(n -> n.isStandard("Sigmoid")).findFirst().orElseThrow();
        Value flat = op(g, "Reshape", "silu_flat", List.of(gate, int64s(g, "flat_shape", -1, mlp.intermediateSize())));
        sigmoid.setInput(0, flat);
        Value shape = op(g, "Shape", "gate_shape", List.of(gate));
        insertAfter(g, sigmoid.output(0), s -> op(g, "Reshape", "silu_back", List.of(s, shape)));
    }

    /** {@code Cast(Identity(up))} between the up projection and the product. */
    static void castAfterUp(Model model, int layer) {
        Graph g = model.graph();
        insertAfter(g, mlp(model, layer).up().output(), u -> op(g, "Cast", "up_cast",
                List.of(op(g, "Identity", "up_identity", List.of(u))), Attribute.ofInt("to", DataType.FLOAT.code())));
    }

    /** {@code Squeeze(Transpose(Unsqueeze(up, -1), swap the last two), -2)}: a transpose of a size-1 axis. */
    static void unitTransposeAfterUp(Model model, int layer) {
        Graph g = model.graph();
        GatedMlp mlp = mlp(model, layer);
        Value up = mlp.up().output();
        // The samples leave the up output untyped; the transpose's input shape is what makes it a layout op.
        List<Dim> dims = mlp.up().node().isStandard("Gemm")
                ? List.of(Dim.named("tokens"), Dim.of(mlp.intermediateSize()), Dim.of(1))
                : List.of(Dim.named("batch"), Dim.named("seq"), Dim.of(mlp.intermediateSize()), Dim.of(1));
        insertAfter(g, up, u -> {
            Value column = op(g, "Unsqueeze", "up_column", List.of(u, int64s(g, "last", -1)));
            column.setType(new TensorType(DataType.FLOAT, dims));
            g.annotate(column);
            int rank = dims.size();
            long[] perm = new long[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = i;
            }
            perm[rank - 1] = rank - 2;
            perm[rank - 2] = rank - 1;
            Value row = op(g, "Transpose", "up_row", List.of(column), Attribute.ofInts("perm", perm));
            return op(g, "Squeeze", "up_squeezed", List.of(row, int64s(g, "unit_axis", -2)));
        });
    }

    /** Two transposes that swap batch and sequence and cancel out: each one moves axes longer than 1. */
    static void swappingTransposesAfterUp(Model model, int layer) {
        Graph g = model.graph();
        insertAfter(g, mlp(model, layer).up().output(), u -> {
            Value swapped = op(g, "Transpose", "up_swapped", List.of(u), Attribute.ofInts("perm", 1, 0, 2));
            return op(g, "Transpose", "up_swapped_back", List.of(swapped), Attribute.ofInts("perm", 1, 0, 2));
        });
    }

    /** Loads {@code source}, edits it, saves it as {@code dir/model.onnx}. */
    static Path variant(Path source, Path dir, Consumer<Model> edit) throws IOException {
        Model m = ModelLoader.load(source);
        edit.accept(m);
        m.graph().topologicalSort();
        Path file = Files.createDirectories(dir).resolve("model.onnx");
        ModelSaver.create().save(m, file);
        return file;
    }

    /** {@code source} with one sink patch, saved as {@code dir/model.onnx}. */
    static Path patched(Path source, Path dir, int layer, List<Integer> neurons, MlpSite site) throws IOException {
        return variant(source, dir, m -> SinkPatch.apply(m, DecoderMatcher.match(m),
                List.of(new SinkSpec(layer, neurons, site, 1)), "test"));
    }
}
