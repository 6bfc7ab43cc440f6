package dev.sinkfix.surgery.rewrite;

import com.google.protobuf.ByteString;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adds standard-domain nodes and constants to a graph under one name prefix
 * ({@code /sinkfix/layers.1/}), so everything a rewrite adds reads well in Netron and is counted.
 */
final class Emitter {
    private final Graph graph;
    private final String prefix;
    private final List<Node> added = new ArrayList<>();
    private int constants;

    Emitter(Graph graph, String prefix) {
        this.graph = graph;
        this.prefix = prefix;
    }

    Graph graph() {
        return graph;
    }

    List<Node> added() {
        return added;
    }

    /** One node with one output, named {@code prefix + name} and {@code prefix + name + "/output_0"}. */
    Value op(String opType, String name, List<Value> inputs, Attribute... attributes) {
        String nodeName = graph.freshNodeName(prefix + name);
        String out = graph.freshValueName(nodeName + "/output_0");
        Node n = graph.addNode(opType, "", nodeName, inputs, List.of(out), attributes);
        added.add(n);
        return n.output(0);
    }

    /** Like {@link #op(String, String, List, Attribute...)}, with an exact output name (a new graph output). */
    Value opNamed(String opType, String name, String outputName, List<Value> inputs, Attribute... attributes) {
        Node n = graph.addNode(opType, "", graph.freshNodeName(prefix + name), inputs, List.of(outputName), attributes);
        added.add(n);
        return n.output(0);
    }

    Value op(String opType, String name, Value a, Attribute... attributes) {
        return op(opType, name, List.of(a), attributes);
    }

    Value op(String opType, String name, Value a, Value b, Attribute... attributes) {
        return op(opType, name, List.of(a, b), attributes);
    }

    /** A 1-D int64 initializer. */
    Value int64s(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(values).forEach(b::putLong);
        return constant(name, DataType.INT64, new long[] {values.length}, b.array());
    }

    /** A 0-D int64 initializer. */
    Value int64Scalar(String name, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        return constant(name, DataType.INT64, new long[0], b.array());
    }

    /** A 1-D fp32 initializer. */
    Value floats(String name, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return constant(name, DataType.FLOAT, new long[] {values.length}, b.array());
    }

    /** A 1-D bool initializer. */
    Value bools(String name, boolean[] values) {
        byte[] raw = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            raw[i] = (byte) (values[i] ? 1 : 0);
        }
        return constant(name, DataType.BOOL, new long[] {values.length}, raw);
    }

    /** A 0-D zero of a floating-point type (all-zero bytes are +0.0 in fp32, fp16, bf16 and fp64). */
    Value zero(String name, DataType type) {
        return constant(name, type, new long[0], new byte[type.bits() / 8]);
    }

    private Value constant(String name, DataType type, long[] dims, byte[] raw) {
        constants++;
        String full = graph.freshValueName(prefix + name);
        return graph.addInitializer(Tensor.ofRaw(full, type, dims, ByteString.copyFrom(raw)));
    }

    int constantCount() {
        return constants;
    }
}
