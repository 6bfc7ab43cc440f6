package dev.sinkfix.surgery;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Tiny models built in code, one line per test: {@code y = x + w} with {@code w} inline or external. */
public final class TinyModels {
    private TinyModels() {
    }

    public static ModelProto header() {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("onnx-sinkfix tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
    }

    /** {@code y = x + w}, w a float[4] initializer built by the caller. */
    public static Model addOf(Tensor w) {
        Graph g = new Graph();
        g.setName("tiny");
        Value x = g.addInput("x", TensorType.of(DataType.FLOAT, Dim.of(4)));
        Value wv = g.addInitializer(w);
        Value y = g.addNode("Add", "", "add", List.of(x, wv), List.of("y")).output(0);
        y.setType(TensorType.of(DataType.FLOAT, Dim.of(4)));
        g.addOutput(y);
        return new Model(header(), g, Map.of(), null);
    }

    public static Tensor inlineFloats(String name, int count) {
        byte[] raw = new byte[count * 4];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 7 + 1);
        }
        return Tensor.ofRaw(name, DataType.FLOAT, new long[] {count}, ByteString.copyFrom(raw));
    }

    /** A float[4, 4] weight. */
    public static Tensor square(String name) {
        Tensor flat = inlineFloats(name, 16);
        return Tensor.ofRaw(name, DataType.FLOAT, new long[] {4, 4}, flat.proto().getRawData());
    }

    /** Writes {@code model.onnx} whose weight {@code w} (float[4], 16 bytes) points at the given external reference. */
    public static Path writeWithExternal(Path dir, String location, long offset, long length) throws IOException {
        Model m = addOf(Tensor.ofExternal("w", DataType.FLOAT, new long[] {4}, location, offset, length));
        Path file = dir.resolve("model.onnx");
        Files.write(file, ModelExporter.export(m).toByteArray());
        return file;
    }
}
