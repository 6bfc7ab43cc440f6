package dev.sinkfix.runtime.generate;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A decoder with a static cache, as some exporters write one: a fixed {@code [1, 2, 8, 4]} cache
 * and a {@code cache_position} input of write indices that the generator cannot fill step by
 * step. Its logits: token t scores {@code (t + 1) % 6} highest, plus {@code cache_position} on
 * every score, so a pass only runs when cache_position has the sequence's length.
 */
final class StaticCacheModel {
    static final int VOCAB = 6;

    private StaticCacheModel() {}

    static Path write(Path dir) throws Exception {
        Graph g = new Graph();
        Value ids = g.addInput("input_ids", TensorType.of(DataType.INT64, Dim.named("batch_size"), Dim.named("sequence_length")));
        Value where = g.addInput("cache_position", TensorType.of(DataType.INT64, Dim.named("sequence_length")));
        Value past = g.addInput("past_key_values.0.key", TensorType.of(DataType.FLOAT, Dim.of(1), Dim.of(2), Dim.of(8), Dim.of(4)));
        ByteBuffer table = ByteBuffer.allocate(VOCAB * VOCAB * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < VOCAB; t++) {
            for (int v = 0; v < VOCAB; v++) {
                table.putFloat(v == (t + 1) % VOCAB ? 1f : 0f);
            }
        }
        Value embed = g.addInitializer(Tensor.ofRaw("embed", DataType.FLOAT, new long[] {VOCAB, VOCAB},
                ByteString.copyFrom(table.array())));
        Value axes = g.addInitializer(Tensor.ofRaw("axes", DataType.INT64, new long[] {1},
                ByteString.copyFrom(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array())));
        Value scores = g.addNode("Gather", "", "gather", List.of(embed, ids), List.of("scores")).output(0);
        Value asFloat = g.addNode("Cast", "", "cast", List.of(where), List.of("where_f"),
                Attribute.ofInt("to", DataType.FLOAT.code())).output(0);
        Value column = g.addNode("Unsqueeze", "", "unsqueeze", List.of(asFloat, axes), List.of("where_col")).output(0);
        Value logits = g.addNode("Add", "", "add", List.of(scores, column), List.of("logits")).output(0);
        logits.setType(TensorType.of(DataType.FLOAT, Dim.named("batch_size"), Dim.named("sequence_length"), Dim.of(VOCAB)));
        Value present = g.addNode("Identity", "", "identity", List.of(past), List.of("present.0.key")).output(0);
        present.setType(TensorType.of(DataType.FLOAT, Dim.of(1), Dim.of(2), Dim.of(8), Dim.of(4)));
        g.addOutput(logits);
        g.addOutput(present);
        ModelProto header = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        Path file = dir.resolve("static.onnx");
        ModelSaver.create().save(new Model(header, g, Map.of(), null), file);
        return file;
    }
}
