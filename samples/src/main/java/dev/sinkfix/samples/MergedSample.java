package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sample decoder in Hugging Face optimum's merged form ({@code decoder_model_merged.onnx}): the
 * decoder's inputs plus a bool {@code use_cache_branch}, the weights as initializers of the main
 * graph, and one {@code If} whose {@code then_branch} is the decoder with past and whose
 * {@code else_branch} is the decoder without past (its attention ignores the past inputs, which
 * the caller feeds with length 0, and still returns {@code present.*}). Both branches read the
 * inputs and weights from the outer scope, as optimum's merge writes them.
 */
public final class MergedSample {
    public static final String USE_CACHE = "use_cache_branch";

    private MergedSample() {
    }

    /** Writes the merged form of the decoder {@code decoder} as {@code dir/model.onnx} (weights inline). */
    public static Path write(Path decoder, Path dir) throws IOException {
        Model source = ModelLoader.load(decoder);
        Graph g = source.graph();
        Graph top = new Graph();
        top.setName(g.name() + "_merged");
        Map<Value, Value> outer = new IdentityHashMap<>();
        for (Value in : g.inputs()) {
            outer.put(in, top.addInput(in.name(), in.tensorType()));
        }
        for (Value w : g.initializers()) {
            outer.put(w, top.addInitializer(w.initializer()));
        }
        Value useCache = top.addInput(USE_CACHE, TensorType.of(DataType.BOOL, Dim.of(1)));
        Graph withPast = copy(g, top, outer, "/with_past");
        Graph withoutPast = copy(g, top, outer, "/without_past");
        ignorePast(withoutPast, top);
        List<String> names = g.outputs().stream().map(Value::name).toList();
        Node branch = top.addNode("If", "", "optimum::if", List.of(useCache), names,
                new Attribute("then_branch", graphAttribute("then_branch"), List.of(withPast)),
                new Attribute("else_branch", graphAttribute("else_branch"), List.of(withoutPast)));
        for (int i = 0; i < names.size(); i++) {
            branch.output(i).setType(g.outputs().get(i).tensorType());
            top.addOutput(branch.output(i));
        }
        Path file = Files.createDirectories(dir).resolve("model.onnx");
        ModelSaver.create().save(new Model(source.extras(), top, source.metadata(), null), file);
        return file;
    }

    /** The nodes of {@code g} as a subgraph of {@code top}, reading {@code outer} for inputs and weights. */
    private static Graph copy(Graph g, Graph top, Map<Value, Value> outer, String prefix) {
        Graph b = top.newSubgraph();
        b.setName(g.name() + prefix);
        Map<Value, Value> inside = new IdentityHashMap<>(outer);
        for (Node n : g.topologicalOrder()) {
            List<Value> inputs = new ArrayList<>();
            for (Value in : n.inputs()) {
                inputs.add(in == null ? null : inside.get(in));
            }
            List<String> outputs = n.outputs().stream().map(v -> v == null ? "" : prefix + v.name()).toList();
            Node c = b.addNode(n.opType(), n.domain(), prefix + n.name(), inputs, outputs,
                    n.attributes().values().toArray(Attribute[]::new));
            for (int i = 0; i < n.outputs().size(); i++) {
                if (n.output(i) != null) {
                    inside.put(n.output(i), c.output(i));
                }
            }
        }
        for (Value out : g.outputs()) {
            Value v = inside.get(out);
            v.setType(out.tensorType());
            b.addOutput(v);
        }
        return b;
    }

    /** The decoder without past: each cache Concat of (past, current) becomes just the current keys or values. */
    private static void ignorePast(Graph b, Graph top) {
        for (Node n : List.copyOf(b.nodes())) {
            if (!n.isStandard("Concat")) {
                continue;
            }
            Value past = n.inputs().stream().filter(v -> v != null && v.graph() == top && v.isGraphInput())
                    .findFirst().orElse(null);
            if (past != null && n.inputs().size() == 2) {
                Value current = n.input(0) == past ? n.input(1) : n.input(0);
                Value joined = n.output(0);
                TensorType type = joined.tensorType();
                b.replaceAllUsesWith(joined, current, true);
                if (current.tensorType() == null && type != null) {
                    current.setType(type);
                }
            }
        }
        b.removeDeadNodes();
    }

    private static AttributeProto graphAttribute(String name) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).build();
    }
}
