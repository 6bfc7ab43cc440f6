package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.StringStringEntryProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import java.util.Map;

/** Turns the IR back into a ModelProto; fields the IR does not model come back from the extras as read. */
public final class ModelExporter {
    private ModelExporter() {
    }

    public static ModelProto export(Model model) {
        ModelProto.Builder b = model.extras().toBuilder().setGraph(exportGraph(model.graph()));
        b.clearMetadataProps();
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return b.build();
    }

    static GraphProto exportGraph(Graph graph) {
        GraphProto extras = graph.extras();
        GraphProto.Builder b = extras.toBuilder().clearValueInfo();
        if (!graph.name().equals(extras.getName())) {
            b.setName(graph.name());
        }
        for (Node n : graph.nodes()) {
            b.addNode(exportNode(n));
        }
        for (Value v : graph.initializers()) {
            b.addInitializer(v.initializer().proto());
        }
        for (Value v : graph.inputs()) {
            b.addInput(info(v));
        }
        for (Value v : graph.outputs()) {
            b.addOutput(info(v));
        }
        for (Value v : graph.annotated()) {
            if (graph.value(v.name()) == v) {
                b.addValueInfo(info(v));
            }
        }
        b.addAllValueInfo(extras.getValueInfoList());
        return b.build();
    }

    private static ValueInfoProto info(Value v) {
        return v.info().toBuilder().setName(v.name()).build();
    }

    private static NodeProto exportNode(Node n) {
        NodeProto extras = n.extras();
        NodeProto.Builder b = extras.toBuilder();
        if (!n.name().equals(extras.getName())) {
            b.setName(n.name());
        }
        if (!n.opType().equals(extras.getOpType())) {
            b.setOpType(n.opType());
        }
        if (!n.domain().equals(extras.getDomain())) {
            b.setDomain(n.domain());
        }
        if (!n.overload().equals(extras.getOverload())) {
            b.setOverload(n.overload());
        }
        for (Value in : n.inputs()) {
            b.addInput(in == null ? "" : in.name());
        }
        for (Value out : n.outputs()) {
            b.addOutput(out == null ? "" : out.name());
        }
        for (Attribute a : n.attributes().values()) {
            b.addAttribute(exportAttribute(a));
        }
        return b.build();
    }

    private static AttributeProto exportAttribute(Attribute a) {
        if (a.graphs().isEmpty()) {
            return a.proto();
        }
        AttributeProto.Builder b = a.proto().toBuilder();
        if (a.proto().getType() == AttributeProto.AttributeType.GRAPHS) {
            for (Graph g : a.graphs()) {
                b.addGraphs(exportGraph(g));
            }
        } else {
            b.setG(exportGraph(a.graphs().get(0)));
        }
        return b.build();
    }
}
