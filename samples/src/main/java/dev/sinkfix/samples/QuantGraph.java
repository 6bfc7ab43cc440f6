package dev.sinkfix.samples;

import com.google.protobuf.UnsafeByteOperations;
import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the quantizers of ONNX Runtime work on: the graph's node list and initializers as protobuf
 * records. Quantizing is a pass over a finished float model, as the real tools do it, so the
 * quantized samples are written from the float ones instead of by a second decoder builder.
 */
final class QuantGraph {
    private final GraphProto.Builder graph;
    private final Map<String, TensorProto> initializers = new HashMap<>();

    QuantGraph(GraphProto.Builder graph) {
        this.graph = graph;
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
    }

    GraphProto.Builder graph() {
        return graph;
    }

    /** The 2-D fp32 initializer of this name with inline data, or null: only such weights are quantized. */
    TensorProto floatMatrix(String name) {
        TensorProto t = initializers.get(name);
        if (t == null || t.getDataType() != DataType.FLOAT.code() || t.getDimsCount() != 2 || t.getRawData().isEmpty()) {
            return null;
        }
        return t;
    }

    boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    long users(String value) {
        long n = 0;
        for (NodeProto node : graph.getNodeList()) {
            n += node.getInputList().stream().filter(value::equals).count();
        }
        return n;
    }

    void removeInitializer(String name) {
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals(name)) {
                graph.removeInitializer(i);
                initializers.remove(name);
                return;
            }
        }
    }

    void addInitializer(TensorProto t) {
        graph.addInitializer(t);
        initializers.put(t.getName(), t);
    }

    /**
     * {@code W} as ORT's quantizers write a weight: symmetric per-tensor int8 ({@code scale = max|W| / 127},
     * zero point 0), added as the initializers {@code [W_quantized, W_scale, W_zero_point]}, whose names come back.
     */
    String[] addInt8Weight(TensorProto w) {
        String[] names = {w.getName() + "_quantized", w.getName() + "_scale", w.getName() + "_zero_point"};
        float[] values = QuantGraph.floats(w);
        float absMax = 0;
        for (float v : values) {
            absMax = Math.max(absMax, Math.abs(v));
        }
        float scale = absMax == 0 ? 1f : absMax / 127f;
        byte[] q = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            q[i] = (byte) Math.max(-127, Math.min(127, (int) Math.rint(values[i] / scale)));
        }
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        addInitializer(QuantGraph.tensor(names[0], DataType.INT8, dims, q));
        addInitializer(QuantGraph.floatTensor(names[1], new long[0], new float[] {scale}));
        addInitializer(QuantGraph.tensor(names[2], DataType.INT8, new long[0], new byte[] {0}));
        return names;
    }

    static float[] floats(TensorProto t) {
        ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static TensorProto tensor(String name, DataType dtype, long[] dims, byte[] raw) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dtype.code())
                .setRawData(UnsafeByteOperations.unsafeWrap(raw));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return tensor(name, DataType.FLOAT, dims, b.array());
    }

    static NodeProto node(String opType, String domain, String name, List<String> inputs, List<String> outputs,
                          AttributeProto... attributes) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs)
                .addAllOutput(outputs);
        if (!domain.isEmpty()) {
            b.setDomain(domain);
        }
        for (AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        return b.build();
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }
}
