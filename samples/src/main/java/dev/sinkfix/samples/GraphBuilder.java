package dev.sinkfix.samples;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes graphs in code, one line per operator, through the surgery IR. Samples are built the
 * way exporters build them, so the builder keeps a current module {@link #scope(String) scope}
 * and lets a {@link NamingScheme} name each node as that exporter would; a caller only says
 * which operator reads which values.
 *
 * <pre>{@code
 * GraphBuilder b = GraphBuilder.create(NamingScheme.torchScript(), 17);
 * Value x = b.input("x", DataType.FLOAT, Dim.named("batch"), Dim.of(4));
 * Value w = b.initializer("onnx::MatMul_1", DataType.FLOAT, new long[] {4, 2}, new float[8]);
 * b.scope("/model/proj");
 * b.output(b.matmul(x, w), DataType.FLOAT, Dim.named("batch"), Dim.of(2));
 * Model m = b.model(8);
 * }</pre>
 */
public final class GraphBuilder {
    private final Graph graph = new Graph();
    private final NamingScheme naming;
    private final int opset;
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private final Map<String, Value> sharedConstants = new HashMap<>();
    private String scope = "";

    private GraphBuilder(NamingScheme naming, int opset) {
        this.naming = naming;
        this.opset = opset;
        opsets.put("", (long) opset);
    }

    /** A builder for a graph of the standard operator set {@code opset}. */
    public static GraphBuilder create(NamingScheme naming, int opset) {
        return new GraphBuilder(naming, opset);
    }

    public Graph graph() {
        return graph;
    }

    public int opset() {
        return opset;
    }

    /** Imports another operator domain (contrib operators: {@code com.microsoft}). */
    public GraphBuilder importDomain(String domain, long version) {
        opsets.put(domain, version);
        return this;
    }

    /** Sets the module path the next nodes are named after ({@code /model/layers.0/mlp}). */
    public GraphBuilder scope(String modulePath) {
        this.scope = modulePath;
        return this;
    }

    public String scope() {
        return scope;
    }

    // ---- graph inputs, outputs, initializers -------------------------------------------------

    public Value input(String name, DataType dtype, Dim... dims) {
        return graph.addInput(name, TensorType.of(dtype, dims));
    }

    /** Declares {@code v} a graph output of this type. */
    public Value output(Value v, DataType dtype, Dim... dims) {
        v.setType(TensorType.of(dtype, dims));
        graph.addOutput(v);
        return v;
    }

    /** A float initializer stored as fp32 or fp16 raw little-endian bytes. */
    public Value initializer(String name, DataType dtype, long[] dims, float[] data) {
        checkCount(name, dims, data.length);
        return graph.addInitializer(Tensor.ofRaw(name, dtype, dims, TensorBytes.floats(data, dtype)));
    }

    public Value initializer(String name, long[] dims, long[] data) {
        checkCount(name, dims, data.length);
        return graph.addInitializer(Tensor.ofRaw(name, DataType.INT64, dims, TensorBytes.longs(data)));
    }

    /** Adds a tensor built elsewhere (external data, say) as an initializer. */
    public Value initializer(Tensor tensor) {
        return graph.addInitializer(tensor);
    }

    // ---- constants ---------------------------------------------------------------------------

    /** A 1-D int64 {@code Constant}: shapes, axes, slice bounds. */
    public Value constant(long... values) {
        return constantNode(DataType.INT64, new long[] {values.length}, TensorBytes.longs(values),
                describe(values));
    }

    /** A 0-D int64 {@code Constant}: an index, a range bound. */
    public Value scalar(long value) {
        return constantNode(DataType.INT64, new long[0], TensorBytes.longs(new long[] {value}), describe(value));
    }

    /** A 0-D float {@code Constant} of this float type. */
    public Value scalar(float value, DataType dtype) {
        return constantNode(dtype, new long[0], TensorBytes.floats(new float[] {value}, dtype), describe(value));
    }

    private Value constantNode(DataType dtype, long[] dims, ByteString raw, String values) {
        String description = "TensorProto." + dtype.name() + "/" + dims.length + "D/" + values;
        if (naming.sharesConstants() && sharedConstants.containsKey(description)) {
            return sharedConstants.get(description);
        }
        NamingScheme.NodeNames names = naming.constant(scope, description);
        Tensor t = Tensor.ofRaw("", dtype, dims, raw);
        Node n = graph.addNode("Constant", "", graph.freshNodeName(names.node()), List.of(),
                List.of(graph.freshValueName(names.outputs().get(0))), Attribute.ofTensor("value", t));
        Value v = n.output(0);
        if (naming.sharesConstants()) {
            sharedConstants.put(description, v);
        }
        return v;
    }

    private static String describe(long... values) {
        return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(", "));
    }

    private static String describe(float value) {
        return value == Math.rint(value) && Math.abs(value) < 1e6f
                ? Long.toString((long) value) : String.format(Locale.ROOT, "%s", value);
    }

    // ---- nodes -------------------------------------------------------------------------------

    /** A standard-domain node with one output, named by the naming scheme. */
    public Value op(String opType, List<Value> inputs, Attribute... attributes) {
        return ops("", opType, 1, inputs, attributes).get(0);
    }

    /** Like {@link #op} but the output gets exactly this name (a graph output, say). */
    public Value opNamed(String outputName, String opType, List<Value> inputs, Attribute... attributes) {
        NamingScheme.NodeNames names = naming.next(scope, opType, 1);
        return graph.addNode(opType, "", graph.freshNodeName(names.node()), inputs, List.of(outputName),
                attributes).output(0);
    }

    /** A node of any domain with {@code outputs} outputs, all named by the naming scheme. */
    public List<Value> ops(String domain, String opType, int outputs, List<Value> inputs, Attribute... attributes) {
        NamingScheme.NodeNames names = naming.next(scope, opType, outputs);
        List<String> outNames = new ArrayList<>();
        for (String o : names.outputs()) {
            outNames.add(graph.freshValueName(o));
        }
        return graph.addNode(opType, domain, graph.freshNodeName(names.node()), inputs, outNames, attributes)
                .outputs();
    }

    /**
     * A node with exactly these names: for exporters whose names are not a simple function of
     * the operator ({@code .../input_layernorm/LayerNorm} writing {@code .../input_layernorm/output_0}).
     * An empty output name leaves that optional output out; an input list may hold null for a left-out input.
     */
    public Node node(String domain, String opType, String nodeName, List<Value> inputs, List<String> outputNames,
                     Attribute... attributes) {
        return graph.addNode(opType, domain, nodeName, inputs, outputNames, attributes);
    }

    public Value matmul(Value a, Value b) {
        return op("MatMul", List.of(a, b));
    }

    public Value add(Value a, Value b) {
        return op("Add", List.of(a, b));
    }

    public Value sub(Value a, Value b) {
        return op("Sub", List.of(a, b));
    }

    public Value mul(Value a, Value b) {
        return op("Mul", List.of(a, b));
    }

    public Value div(Value a, Value b) {
        return op("Div", List.of(a, b));
    }

    public Value neg(Value x) {
        return op("Neg", List.of(x));
    }

    public Value sigmoid(Value x) {
        return op("Sigmoid", List.of(x));
    }

    public Value sqrt(Value x) {
        return op("Sqrt", List.of(x));
    }

    public Value reciprocal(Value x) {
        return op("Reciprocal", List.of(x));
    }

    public Value pow(Value x, Value exponent) {
        return op("Pow", List.of(x, exponent));
    }

    public Value cast(Value x, DataType to) {
        return op("Cast", List.of(x), Attribute.ofInt("to", to.code()));
    }

    public Value shape(Value x) {
        return op("Shape", List.of(x));
    }

    public Value reshape(Value x, long... shape) {
        return op("Reshape", List.of(x, constant(shape)));
    }

    public Value reshape(Value x, Value shape) {
        return op("Reshape", List.of(x, shape));
    }

    public Value transpose(Value x, long... perm) {
        return op("Transpose", List.of(x), Attribute.ofInts("perm", perm));
    }

    public Value unsqueeze(Value x, long... axes) {
        return op("Unsqueeze", List.of(x, constant(axes)));
    }

    public Value expand(Value x, Value shape) {
        return op("Expand", List.of(x, shape));
    }

    public Value concat(long axis, Value... parts) {
        return op("Concat", List.of(parts), Attribute.ofInt("axis", axis));
    }

    /** {@code Gather} along axis 0. */
    public Value gather(Value data, Value indices) {
        return op("Gather", List.of(data, indices));
    }

    public Value gather(Value data, Value indices, long axis) {
        return op("Gather", List.of(data, indices), Attribute.ofInt("axis", axis));
    }

    public Value slice(Value x, long start, long end, long axis) {
        return op("Slice", List.of(x, constant(start), constant(end), constant(axis)));
    }

    public Value softmax(Value x, long axis) {
        return op("Softmax", List.of(x), Attribute.ofInt("axis", axis));
    }

    public Value where(Value condition, Value whenTrue, Value whenFalse) {
        return op("Where", List.of(condition, whenTrue, whenFalse));
    }

    /** {@code ReduceMean} keeping dims; axes are an attribute before opset 18 and an input from 18 on. */
    public Value reduceMean(Value x, long... axes) {
        if (opset >= 18) {
            return op("ReduceMean", List.of(x, constant(axes)), Attribute.ofInt("keepdims", 1));
        }
        return op("ReduceMean", List.of(x), Attribute.ofInts("axes", axes), Attribute.ofInt("keepdims", 1));
    }

    // ---- the model ---------------------------------------------------------------------------

    /** The graph as a model written by "onnx-sinkfix samples", importing the operator sets used. */
    public Model model(long irVersion, Map<String, String> metadata) {
        ModelProto.Builder header = ModelProto.newBuilder().setIrVersion(irVersion)
                .setProducerName("onnx-sinkfix samples").setProducerVersion("0.1.0");
        for (Map.Entry<String, Long> e : opsets.entrySet()) {
            header.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
        }
        if (graph.name().isEmpty()) {
            graph.setName("main_graph");
        }
        return new Model(header.build(), graph, metadata, null);
    }

    public Model model(long irVersion) {
        return model(irVersion, Map.of());
    }

    private static void checkCount(String name, long[] dims, int count) {
        long expected = 1;
        for (long d : dims) {
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalArgumentException("initializer '" + name + "' of shape " + Arrays.toString(dims)
                    + " needs " + expected + " values, got " + count);
        }
    }
}
