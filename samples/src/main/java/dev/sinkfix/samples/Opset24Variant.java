package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * The dynamo sample as a newer exporter writes it: stamped with opset 24 (IR 10) and every
 * spelled-out RMSNorm ({@code Pow, ReduceMean, Add, Sqrt, Reciprocal, Mul, Mul}) replaced by the
 * standard {@code RMSNormalization} operator of opset 23. The attention stays spelled out.
 */
public final class Opset24Variant {
    public static final int OPSET = 24;

    private Opset24Variant() {
    }

    /** Rewrites a fp32 dynamo-style sample in place of a copy; returns how many norms became RMSNormalization. */
    public static Model of(Model dynamo, float epsilon, int[] replaced) {
        Graph g = dynamo.graph();
        int count = 0;
        for (Node mean : List.copyOf(g.nodes())) {
            if (!mean.isStandard("ReduceMean") || mean.input(0).producer() == null
                    || !mean.input(0).producer().isStandard("Pow")) {
                continue;
            }
            Value h = mean.input(0).producer().input(0);
            Node add = single(mean.output(0), "Add");
            Node sqrt = add == null ? null : single(add.output(0), "Sqrt");
            Node reciprocal = sqrt == null ? null : single(sqrt.output(0), "Reciprocal");
            Node normed = reciprocal == null ? null : single(reciprocal.output(0), "Mul");
            Node scaled = normed == null ? null : single(normed.output(0), "Mul");
            if (scaled == null) {
                continue;
            }
            Value weight = scaled.input(0) == normed.output(0) ? scaled.input(1) : scaled.input(0);
            String name = scaled.name().replace("/Mul", "/RMSNormalization");
            Node norm = g.addNode("RMSNormalization", "", g.freshNodeName(name), List.of(h, weight),
                    List.of(g.freshValueName(name + "_output_0")), Attribute.ofInt("axis", -1),
                    Attribute.ofFloat("epsilon", epsilon));
            g.replaceAllUsesWith(scaled.output(0), norm.output(0), true);
            count++;
        }
        g.removeDeadNodes();
        g.topologicalSort();
        replaced[0] = count;
        ModelProto header = dynamo.extras().toBuilder().clearOpsetImport().setIrVersion(10)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).build();
        return new Model(header, g, dynamo.metadata(), dynamo.source());
    }

    private static Node single(Value v, String opType) {
        List<Use> uses = v.uses();
        return uses.size() == 1 && uses.get(0).node().isStandard(opType) ? uses.get(0).node() : null;
    }
}
