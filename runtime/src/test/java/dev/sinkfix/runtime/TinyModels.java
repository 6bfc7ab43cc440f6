package dev.sinkfix.runtime;

import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.onnx.Onnx.TensorProto.DataType;
import dev.sinkfix.onnx.Onnx.TensorShapeProto;
import dev.sinkfix.onnx.Onnx.TypeProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One-node ONNX models written to a folder, for tests that need a real session. */
final class TinyModels {
    private TinyModels() {}

    /** {@code c = a + b}, all fp16 of shape [batch, 4] with a symbolic batch. */
    static Path addFp16(Path dir) throws IOException {
        return write(dir.resolve("add_fp16.onnx"), graph("add_fp16", node("Add", "a", "b", "c"),
                DataType.FLOAT16, new Object[] {"batch", 4L}, "a", "b", "c"));
    }

    /** {@code y = x @ w}, fp32, x [2, 3], w [3, 2]. */
    static Path matMulFp32(Path dir) throws IOException {
        GraphProto.Builder g = GraphProto.newBuilder().setName("matmul_fp32").addNode(node("MatMul", "x", "w", "y"));
        g.addInput(value("x", DataType.FLOAT, 2L, 3L));
        g.addInput(value("w", DataType.FLOAT, 3L, 2L));
        g.addOutput(value("y", DataType.FLOAT, 2L, 2L));
        return write(dir.resolve("matmul_fp32.onnx"), g.build());
    }

    /** {@code y = Identity(x)} for one element type and shape [n]. */
    static Path identity(Path dir, DataType type) throws IOException {
        return write(dir.resolve("identity_" + type.name().toLowerCase() + ".onnx"),
                graph("identity", node("Identity", "x", null, "y"), type, new Object[] {"n"}, "x", null, "y"));
    }

    private static GraphProto graph(String name, NodeProto node, DataType type, Object[] dims, String in1, String in2, String out) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name).addNode(node);
        g.addInput(value(in1, type, dims));
        if (in2 != null) {
            g.addInput(value(in2, type, dims));
        }
        g.addOutput(value(out, type, dims));
        return g.build();
    }

    private static NodeProto node(String op, String a, String b, String out) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_0").addInput(a);
        if (b != null) {
            n.addInput(b);
        }
        return n.addOutput(out).build();
    }

    /** dims: Long for a fixed size, String for a symbolic one. */
    private static ValueInfoProto value(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            if (dim instanceof Long size) {
                shape.addDimBuilder().setDimValue(size);
            } else {
                shape.addDimBuilder().setDimParam((String) dim);
            }
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    /** {@code y = Identity(x)}, fp32, stamped with the given standard opset. */
    static Path identityAtOpset(Path dir, int opset) throws IOException {
        return write(dir.resolve("identity_opset" + opset + ".onnx"),
                graph("identity", node("Identity", "x", null, "y"), DataType.FLOAT, new Object[] {"n"}, "x", null, "y"),
                opset);
    }

    private static Path write(Path file, GraphProto graph) throws IOException {
        return write(file, graph, 17);
    }

    private static Path write(Path file, GraphProto graph, int opset) throws IOException {
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(opset >= 21 ? 10 : 8)
                .setProducerName("onnx-sinkfix tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph)
                .build();
        Files.write(file, model.toByteArray());
        return file;
    }
}
