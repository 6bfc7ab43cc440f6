package dev.sinkfix.surgery.io;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.StringStringEntryProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a saved model's data files go so that the output loads under ONNX Runtime's rule (a data
 * file must resolve inside the real folder of the model file). The output is a new regular file,
 * so its real folder is the output folder; a data name there that is a link out of it (the
 * Hugging Face hub cache: {@code snapshots/REV/model.onnx.data -> ../../blobs/HASH}) would make
 * the output unloadable, and replacing that link would change the snapshot. Such a name is left
 * alone and the output gets its own regular file beside it ({@code OUT.onnx.data}, a hard link to
 * the blob where possible) with the model's references renamed to it.
 */
final class DataDestinations {
    private DataDestinations() {
    }

    /** True when {@code dest} exists and resolves outside {@code outDir} (after following links). */
    static boolean leavesFolder(Path dest, Path outDir) throws IOException {
        if (!Files.exists(dest)) {
            return false;
        }
        return !dest.toRealPath().startsWith(outDir.toRealPath());
    }

    /** The output's own data file name: {@code OUT.data}, then {@code OUT.data.2}, ... for further files. */
    static String ownName(Path out, int index) {
        return out.getFileName() + ".data" + (index == 0 ? "" : "." + (index + 1));
    }

    /** The model with every external-data location in {@code renamed} replaced, in every graph and attribute. */
    static ModelProto rename(ModelProto model, Map<String, String> renamed) {
        if (renamed.isEmpty()) {
            return model;
        }
        return model.toBuilder().setGraph(rename(model.getGraph(), renamed)).build();
    }

    private static GraphProto rename(GraphProto g, Map<String, String> renamed) {
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            b.setInitializer(i, rename(b.getInitializer(i), renamed));
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto n = b.getNode(i);
            NodeProto.Builder nb = n.toBuilder();
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto.Builder ab = n.getAttribute(a).toBuilder();
                if (ab.hasT()) {
                    ab.setT(rename(ab.getT(), renamed));
                }
                for (int t = 0; t < ab.getTensorsCount(); t++) {
                    ab.setTensors(t, rename(ab.getTensors(t), renamed));
                }
                if (ab.hasG()) {
                    ab.setG(rename(ab.getG(), renamed));
                }
                for (int s = 0; s < ab.getGraphsCount(); s++) {
                    ab.setGraphs(s, rename(ab.getGraphs(s), renamed));
                }
                nb.setAttribute(a, ab);
            }
            b.setNode(i, nb);
        }
        return b.build();
    }

    private static TensorProto rename(TensorProto t, Map<String, String> renamed) {
        if (t.getExternalDataCount() == 0) {
            return t;
        }
        TensorProto.Builder b = t.toBuilder();
        for (int i = 0; i < b.getExternalDataCount(); i++) {
            StringStringEntryProto e = b.getExternalData(i);
            if (e.getKey().equals("location") && renamed.containsKey(e.getValue())) {
                b.setExternalData(i, e.toBuilder().setValue(renamed.get(e.getValue())));
            }
        }
        return b.build();
    }
}
