package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * A projection {@code y = x W}: whatever operator computes it ({@code MatMul}, {@code Gemm},
 * {@code FusedMatMul}, {@code MatMulNBits} of int4 builds), the activation input and the
 * output are what matching needs; {@code outFeatures} is -1 when the weight's shape is not known.
 */
public record Linear(Node node, Value input, Value output, long inFeatures, long outFeatures) {

    /** Reads {@code node} as a projection of an activation by a constant weight, or returns null. */
    static Linear recognize(Node node, Constants constants) {
        Value out = node.output(0);
        if (out == null || node.inputs().size() < 2) {
            return null;
        }
        Value x = node.input(0);
        Value w = node.input(1);
        if (x == null || w == null || constants.isConstant(x) || !constants.isConstant(w)) {
            return null;
        }
        if (node.isStandard("MatMul")) {
            return withWeightShape(node, x, out, w, false);
        }
        if (node.isStandard("Gemm")) {
            if (node.intAttribute("transA", 0) != 0) {
                return null;
            }
            return withWeightShape(node, x, out, w, node.intAttribute("transB", 0) != 0);
        }
        if (node.is(Domains.MICROSOFT, "FusedMatMul")) {
            if (node.intAttribute("transA", 0) != 0) {
                return null;
            }
            return withWeightShape(node, x, out, w, node.intAttribute("transB", 0) != 0);
        }
        if (node.is(Domains.MICROSOFT, "MatMulNBits")) {
            return new Linear(node, x, out, node.intAttribute("K", -1), node.intAttribute("N", -1));
        }
        return null;
    }

    private static Linear withWeightShape(Node node, Value x, Value out, Value w, boolean transB) {
        Tensor t = Constants.backingTensor(w);
        long in = -1;
        long outFeatures = -1;
        if (t != null && t.dims().size() == 2) {
            List<Long> d = t.dims();
            boolean transposed = transB ^ Constants.transposedOnTheWay(w);
            in = transposed ? d.get(1) : d.get(0);
            outFeatures = transposed ? d.get(0) : d.get(1);
        }
        return new Linear(node, x, out, in, outFeatures);
    }
}
