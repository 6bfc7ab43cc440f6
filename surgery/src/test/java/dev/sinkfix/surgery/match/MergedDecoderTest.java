package dev.sinkfix.surgery.match;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.surgery.TinyModels;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Older optimum exports merge two decoders behind an If: the layers then live in subgraphs. */
class MergedDecoderTest {

    @Test
    void layersInsideIfBranchesAreRefusedWithTheReason() {
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DataType.FLOAT, Dim.of(1), Dim.of(4)));
        Value useCache = g.addInput("use_cache_branch", TensorType.of(DataType.BOOL, Dim.of(1)));
        Value wg = g.addInitializer(TinyModels.square("wg"));
        Value wu = g.addInitializer(TinyModels.square("wu"));
        Value wd = g.addInitializer(TinyModels.square("wd"));
        Graph[] branches = new Graph[2];
        for (int b = 0; b < 2; b++) {
            Graph br = g.newSubgraph();
            String p = b == 0 ? "then/" : "else/";
            Value gate = br.addNode("MatMul", "", p + "gate", List.of(x, wg), List.of(p + "g")).output(0);
            Value up = br.addNode("MatMul", "", p + "up", List.of(x, wu), List.of(p + "u")).output(0);
            Value sig = br.addNode("Sigmoid", "", p + "sig", List.of(gate), List.of(p + "s")).output(0);
            Value act = br.addNode("Mul", "", p + "silu", List.of(gate, sig), List.of(p + "a")).output(0);
            Value prod = br.addNode("Mul", "", p + "prod", List.of(act, up), List.of(p + "m")).output(0);
            br.addOutput(br.addNode("MatMul", "", p + "down", List.of(prod, wd), List.of(p + "d")).output(0));
            branches[b] = br;
        }
        Value out = g.addNode("If", "", "merged", List.of(useCache), List.of("y"),
                new Attribute("then_branch", graphAttr("then_branch"), List.of(branches[0])),
                new Attribute("else_branch", graphAttr("else_branch"), List.of(branches[1]))).output(0);
        g.addOutput(out);
        Model m = new Model(TinyModels.header(), g, Map.of(), null);
        NotADecoderException e = assertThrows(NotADecoderException.class, () -> DecoderMatcher.match(m));
        assertTrue(e.getMessage().contains("its layers live inside If/Loop subgraphs"), e.getMessage());
    }

    private static AttributeProto graphAttr(String name) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).build();
    }
}
