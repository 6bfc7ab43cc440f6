package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.onnx.Onnx.TensorShapeProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import dev.sinkfix.surgery.io.OwnedTemp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder whose only input is {@code input_ids} of a fixed shape, as optimised dynamo exports
 * ship (EXPORTERS.md: {@code [2, 1024]}, no mask, no positions, no KV cache): made from a
 * TorchScript-style sample by turning its mask into ones and its position ids into {@code 0..seq-1},
 * and dropping the KV cache (the new keys and values are used directly, the present outputs go). Positions are
 * then simply the column index, and the model can only be called on a whole sequence.
 */
public final class InputIdsOnly {
    private InputIdsOnly() {
    }

    /** Writes {@code dir/model.onnx} from {@code preset} (a TorchScript-style one) with input_ids {@code [batch, seq]}. */
    public static Path write(String preset, Path dir, int batch, int seq) throws IOException {
        SampleSpec spec = Samples.preset(preset);
        if (spec.style() != ExportStyle.TORCH) {
            throw new IllegalArgumentException("an input_ids-only variant is made from a TorchScript-style sample, not "
                    + preset);
        }
        Path source = Samples.write(spec, Files.createDirectories(dir).resolve(".source"));
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(source));
        GraphProto.Builder g = model.getGraph().toBuilder();
        g.clearInput();
        for (ValueInfoProto in : model.getGraph().getInputList()) {
            String name = in.getName();
            if (name.equals("input_ids")) {
                g.addInput(fixed(in, batch, seq));
            } else if (name.equals("attention_mask")) {
                g.addInitializer(int64(name, new long[] {batch, seq}, (b, t) -> 1));
            } else if (name.equals("position_ids")) {
                g.addInitializer(int64(name, new long[] {batch, seq}, (b, t) -> t));
            } else if (!name.startsWith("past_key_values.")) {
                throw new IllegalStateException("unexpected input " + name + " of " + preset);
            }
        }
        withoutCache(g);
        g.clearOutput();
        model.getGraph().getOutputList().stream().filter(o -> !o.getName().startsWith("present")).forEach(g::addOutput);
        Path file = dir.resolve("model.onnx");
        Path tmp = OwnedTemp.nameBeside(file);
        try {
            Files.write(tmp, model.toBuilder().setGraph(g).build().toByteArray());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (var files = Files.walk(source.getParent())) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return file;
    }

    /**
     * Each layer appends its new keys and values to the past with a {@code Concat}: without a past,
     * its readers read the new ones directly (no empty tensors left for the runtime to fold).
     */
    private static void withoutCache(GraphProto.Builder g) {
        Map<String, String> replaced = new HashMap<>();
        List<NodeProto> kept = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            List<String> past = n.getInputList().stream().filter(i -> i.startsWith("past_key_values.")).toList();
            if (!past.isEmpty()) {
                List<String> rest = n.getInputList().stream().filter(i -> !past.contains(i)).toList();
                if (!n.getOpType().equals("Concat") || rest.size() != 1 || n.getOutputCount() != 1) {
                    throw new IllegalStateException("expected the cache to be read by a Concat of past and new, got "
                            + n.getOpType() + " " + n.getName());
                }
                replaced.put(n.getOutput(0), rest.get(0));
            } else {
                kept.add(n);
            }
        }
        g.clearNode();
        for (NodeProto n : kept) {
            NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                b.setInput(i, replaced.getOrDefault(b.getInput(i), b.getInput(i)));
            }
            g.addNode(b);
        }
    }

    private interface Cell {
        long at(int row, int column);
    }

    private static TensorProto int64(String name, long[] dims, Cell cell) {
        long[] values = new long[(int) (dims[0] * dims[1])];
        for (int b = 0; b < dims[0]; b++) {
            for (int t = 0; t < dims[1]; t++) {
                values[(int) (b * dims[1] + t)] = cell.at(b, t);
            }
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(dims[0]).addDims(dims[1]).setRawData(TensorBytes.longs(values)).build();
    }

    private static ValueInfoProto fixed(ValueInfoProto in, int batch, int seq) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(batch))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(seq)).build();
        ValueInfoProto.Builder b = in.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().setShape(shape);
        return b.build();
    }
}
