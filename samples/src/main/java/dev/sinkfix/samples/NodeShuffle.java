package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.ModelImporter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Puts a model's node list in a seeded random order. Real genai exports are not topologically
 * sorted, and code that walks nodes in file order breaks on them; samples must break it too.
 * The IR has no way to reorder nodes, so the order is changed on the exported proto and the
 * model imported again (the importer accepts any order, as it must for real files).
 */
final class NodeShuffle {
    private NodeShuffle() {
    }

    static Model shuffle(Model model, long seed) {
        ModelProto proto = ModelExporter.export(model);
        List<NodeProto> nodes = new ArrayList<>(proto.getGraph().getNodeList());
        Random random = new Random(seed);
        for (int attempt = 0; ; attempt++) {
            Collections.shuffle(nodes, random);
            GraphProto graph = proto.getGraph().toBuilder().clearNode().addAllNode(nodes).build();
            Model shuffled = ModelImporter.importModel(proto.toBuilder().setGraph(graph).build(), model.source());
            // A random order of a few dozen dependent nodes is practically never sorted; make sure.
            if (!shuffled.graph().isTopologicallySorted() || nodes.size() < 2 || attempt > 10) {
                return shuffled;
            }
        }
    }
}
