package dev.sinkfix.cli;

import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A valid ONNX model with no decoder in it: {@code y = relu(x)}. */
final class NonDecoder {
    private NonDecoder() {
    }

    static Path write(Path dir) throws Exception {
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DataType.FLOAT, Dim.of(2)));
        g.addOutput(g.addNode("Relu", "", "relu", List.of(x), List.of("y")).output(0));
        ModelProto header = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        Path file = dir.resolve("relu.onnx");
        ModelSaver.create().save(new Model(header, g, Map.of(), null), file);
        return file;
    }
}
