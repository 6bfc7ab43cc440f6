package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.SparseTensorProto;
import dev.sinkfix.onnx.Onnx.StringStringEntryProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import dev.sinkfix.surgery.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a parsed ModelProto into the IR. The only other place besides the exporter that touches protobuf builders. */
public final class ModelImporter {
    private ModelImporter() {
    }

    public static Model importModel(ModelProto proto, Path source) {
        if (!proto.hasGraph()) {
            throw new BadInputException("the file holds no graph: it is not an ONNX model");
        }
        Graph graph = new Graph();
        importGraph(proto.getGraph(), graph);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        ModelProto extras = proto.toBuilder().clearGraph().clearMetadataProps().build();
        return new Model(extras, graph, metadata, source);
    }

    private static void importGraph(GraphProto gp, Graph graph) {
        graph.setExtras(gp.toBuilder().clearNode().clearInitializer().clearInput().clearOutput().clearValueInfo().build());
        graph.setName(gp.getName());

        for (ValueInfoProto in : gp.getInputList()) {
            Value v = define(graph, in.getName(), "graph input");
            v.setInfo(in);
            graph.addInput(v);
        }
        for (TensorProto t : gp.getInitializerList()) {
            Value v = graph.value(t.getName());
            if (v != null && v.isInitializer()) {
                throw new BadInputException("initializer '" + t.getName() + "' is defined twice");
            }
            graph.addInitializer(new Tensor(t));
        }
        for (SparseTensorProto s : gp.getSparseInitializerList()) {
            String name = s.getValues().getName();
            if (graph.value(name) == null) {
                define(graph, name, "sparse initializer");
            }
        }

        List<Node> nodes = new ArrayList<>(gp.getNodeCount());
        for (NodeProto np : gp.getNodeList()) {
            Node node = graph.createNode(np.getOpType(), np.getDomain(), np.getName());
            node.setOverload(np.getOverload());
            node.setExtras(np.toBuilder().clearInput().clearOutput().clearAttribute().build());
            for (String out : np.getOutputList()) {
                graph.bindOutput(node, out.isEmpty() ? null : define(graph, out, "output of " + describe(np)));
            }
            graph.appendImported(node);
            nodes.add(node);
        }
        // Inputs and subgraphs second: real exports are not always in topological order.
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto np = gp.getNode(i);
            Node node = nodes.get(i);
            for (AttributeProto a : np.getAttributeList()) {
                node.setAttribute(importAttribute(a, graph));
            }
            for (String in : np.getInputList()) {
                if (in.isEmpty()) {
                    node.addInput(null);
                    continue;
                }
                Value v = graph.resolve(in);
                if (v == null) {
                    throw new BadInputException(describe(np) + " reads '" + in
                            + "', which no node, graph input or initializer defines");
                }
                node.addInput(v);
            }
        }

        for (ValueInfoProto out : gp.getOutputList()) {
            Value v = graph.resolve(out.getName());
            if (v == null) {
                throw new BadInputException("graph output '" + out.getName() + "' is produced by no node");
            }
            if (!v.info().hasType()) {
                v.setInfo(out);
            }
            graph.addOutput(v);
        }
        GraphProto.Builder leftover = graph.extras().toBuilder();
        for (ValueInfoProto vi : gp.getValueInfoList()) {
            Value v = graph.value(vi.getName());
            if (v == null || graph.annotated().contains(v)) {
                leftover.addValueInfo(vi);
                continue;
            }
            if (!v.info().hasType()) {
                v.setInfo(vi);
            }
            graph.annotate(v);
        }
        graph.setExtras(leftover.build());
    }

    private static Attribute importAttribute(AttributeProto a, Graph owner) {
        if (!a.hasG() && a.getGraphsCount() == 0) {
            return Attribute.of(a);
        }
        List<Graph> graphs = new ArrayList<>();
        if (a.hasG()) {
            Graph sub = owner.newSubgraph();
            importGraph(a.getG(), sub);
            graphs.add(sub);
        }
        for (GraphProto gp : a.getGraphsList()) {
            Graph sub = owner.newSubgraph();
            importGraph(gp, sub);
            graphs.add(sub);
        }
        return new Attribute(a.getName(), a.toBuilder().clearG().clearGraphs().build(), graphs);
    }

    private static Value define(Graph graph, String name, String what) {
        if (graph.value(name) != null) {
            throw new BadInputException("value '" + name + "' is defined twice (again as " + what
                    + "): every value of an ONNX graph has exactly one definition");
        }
        return graph.newValue(name);
    }

    private static String describe(NodeProto np) {
        String op = np.getDomain().isEmpty() ? np.getOpType() : np.getDomain() + ":" + np.getOpType();
        return "node " + op + (np.getName().isEmpty() ? "" : " '" + np.getName() + "'");
    }
}
