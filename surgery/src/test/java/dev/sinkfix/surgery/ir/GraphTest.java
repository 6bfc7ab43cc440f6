package dev.sinkfix.surgery.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.TinyModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphTest {
    private static final TensorType F4 = TensorType.of(DataType.FLOAT, Dim.of(4));

    /** x -> Relu a -> Neg b -> Abs c, stored in reverse order. */
    private static Graph reversedChain() {
        Graph g = new Graph();
        Value x = g.addInput("x", F4);
        Node relu = g.addNode("Relu", "", "relu", List.of(x), List.of("a"));
        Node neg = g.addNode("Neg", "", "neg", List.of(relu.output(0)), List.of("b"));
        Node abs = g.addNode("Abs", "", "abs", List.of(neg.output(0)), List.of("c"));
        g.addOutput(abs.output(0));
        g.topologicalSort();
        // Rebuild unsorted through an export/import round trip with the node list reversed.
        Model m = new Model(TinyModels.header(), g, Map.of(), null);
        ModelProto p = ModelExporter.export(m);
        var graph = p.getGraph().toBuilder().clearNode();
        for (int i = p.getGraph().getNodeCount() - 1; i >= 0; i--) {
            graph.addNode(p.getGraph().getNode(i));
        }
        return ModelImporter.importModel(p.toBuilder().setGraph(graph).build(), null).graph();
    }

    @Test
    void sortsAnUnsortedGraphAndKeepsValidOrder() {
        Graph g = reversedChain();
        assertFalse(g.isTopologicallySorted());
        g.topologicalSort();
        assertTrue(g.isTopologicallySorted());
        assertEquals(List.of("relu", "neg", "abs"), g.nodes().stream().map(Node::name).toList());
    }

    @Test
    void refusesACycle() {
        Graph g = new Graph();
        Value x = g.addInput("x", F4);
        Node a = g.addNode("Add", "", "a", List.of(x, x), List.of("p"));
        Node b = g.addNode("Neg", "", "b", List.of(a.output(0)), List.of("q"));
        a.setInput(1, b.output(0));
        BadInputException e = assertThrows(BadInputException.class, g::topologicalSort);
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void replaceAllUsesReachesIntoSubgraphsAndLeavesOutputsUnlessAsked() {
        Graph g = new Graph();
        Value x = g.addInput("x", F4);
        Value cond = g.addInput("cond", TensorType.of(DataType.BOOL));
        Node relu = g.addNode("Relu", "", "relu", List.of(x), List.of("r"));
        Graph then = g.newSubgraph();
        Node inner = then.addNode("Neg", "", "inner", List.of(relu.output(0)), List.of("t"));
        then.addOutput(inner.output(0));
        Graph otherwise = g.newSubgraph();
        Node inner2 = otherwise.addNode("Abs", "", "inner2", List.of(x), List.of("e"));
        otherwise.addOutput(inner2.output(0));
        Node ifNode = g.addNode("If", "", "if", List.of(cond), List.of("out"),
                new Attribute("then_branch", AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).build(), List.of(then)),
                new Attribute("else_branch", AttributeProto.newBuilder().setName("else_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).build(), List.of(otherwise)));
        g.addOutput(ifNode.output(0));
        g.addOutput(relu.output(0));

        assertTrue(ifNode.dependencies().contains(relu.output(0)), "the If reads r through its branch");
        Node sig = g.addNode("Sigmoid", "", "sig", List.of(x), List.of("s"));
        g.replaceAllUsesWith(relu.output(0), sig.output(0), false);
        assertSame(sig.output(0), inner.input(0));
        assertSame(relu.output(0), g.outputs().get(1));
        g.replaceAllUsesWith(relu.output(0), sig.output(0), true);
        assertSame(sig.output(0), g.outputs().get(1));
        assertEquals(1, g.removeDeadNodes());
        assertFalse(g.nodes().contains(relu));
        g.topologicalSort();
        assertTrue(g.nodes().indexOf(sig) < g.nodes().indexOf(ifNode), "the If waits for what its branch reads");
    }

    @Test
    void freshNamesAreUniqueAcrossSubgraphs() {
        Graph g = new Graph();
        g.addInput("v", F4);
        Graph sub = g.newSubgraph();
        String a = sub.freshValueName("v");
        String b = g.freshValueName("v");
        assertNotEquals("v", a);
        assertNotEquals(a, b);
    }

    @Test
    void removingANodeStillReadIsRefused() {
        Graph g = reversedChain();
        Node relu = g.nodes().stream().filter(n -> n.name().equals("relu")).findFirst().orElseThrow();
        assertThrows(IllegalStateException.class, () -> g.removeNode(relu));
    }
}
