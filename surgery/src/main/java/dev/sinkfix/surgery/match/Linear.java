package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * A projection {@code y = x W}: whatever computes it, the activation input and the output are
 * what matching needs; {@code outFeatures} is -1 when the weight's shape is not known. The forms:
 * <ul>
 *   <li>{@code MatMul}, {@code Gemm}, {@code com.microsoft:FusedMatMul} by a constant weight; a
 *       weight behind {@code DequantizeLinear} (QDQ) is a constant like any other;</li>
 *   <li>{@code com.microsoft:MatMulNBits} (int4 builds of onnxruntime-genai), shape from {@code K}, {@code N};</li>
 *   <li>ONNX Runtime's dynamic int8: {@code Mul(Cast(MatMulInteger(DynamicQuantizeLinear(x), W_q)),
 *       x_scale * W_scale)}: {@code node} is the MatMulInteger, {@code input} the float x and
 *       {@code output} the float product, so the site is never the int32 accumulator;</li>
 *   <li>{@code com.microsoft:DynamicQuantizeMatMul} (the same, fused by ORT's optimizer);</li>
 *   <li>a {@code MatMulInteger} with no rescale after it: an integer projection, recognised so that
 *       a patch of it is refused for its element type rather than the MLP going unseen.</li>
 * </ul>
 * An activation input behind a {@code QuantizeLinear}/{@code DequantizeLinear} pair (QDQ) is the
 * float tensor before the pair; {@link #entry()} is then the QuantizeLinear.
 */
public record Linear(Node node, Value input, Value output, long inFeatures, long outFeatures) {

    /** Reads {@code node} as a projection of an activation by a constant weight, or returns null. */
    static Linear recognize(Node node, Constants constants) {
        Value out = node.output(0);
        if (out == null || node.inputs().size() < 2) {
            return null;
        }
        if (node.isStandard("Mul")) {
            return dynamicInt8(node, constants);
        }
        Value x = node.input(0);
        Value w = node.input(1);
        if (x == null || w == null || constants.isConstant(x) || !constants.isConstant(w)) {
            return null;
        }
        if (node.isStandard("MatMul")) {
            return withWeightShape(node, QdqPair.floatBefore(x), out, w, false);
        }
        if (node.isStandard("Gemm")) {
            if (node.intAttribute("transA", 0) != 0) {
                return null;
            }
            return withWeightShape(node, QdqPair.floatBefore(x), out, w, node.intAttribute("transB", 0) != 0);
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
        if (node.is(Domains.MICROSOFT, "DynamicQuantizeMatMul")) {
            return withWeightShape(node, x, out, w, false);
        }
        if (node.isStandard("MatMulInteger") && rescaleOf(node) == null) {
            Node quantizer = x.producer();
            Value floatX = quantizer != null && quantizer.isStandard("DynamicQuantizeLinear") ? quantizer.input(0) : x;
            return withWeightShape(node, floatX, out, w, false);
        }
        return null;
    }

    /**
     * The element type of the output: a float type for every form but a bare MatMulInteger
     * (int32). Read from the output's declared type, else from the float constant that sets
     * it (the weight, the int4 scales, a QDQ weight's scale, the Cast after MatMulInteger).
     */
    public DataType dtype() {
        if (output.dtype() != DataType.UNDEFINED) {
            return output.dtype();
        }
        if (node.is(Domains.MICROSOFT, "MatMulNBits")) {
            return floatTypeOf(node.input(2));
        }
        if (node.isStandard("MatMulInteger")) {
            Node cast = rescaleOf(node);
            return cast == null ? DataType.INT32 : DataType.fromCode((int) cast.intAttribute("to", 1));
        }
        if (node.is(Domains.MICROSOFT, "DynamicQuantizeMatMul")) {
            return floatTypeOf(node.input(2));
        }
        return floatTypeOf(node.input(1));
    }

    /**
     * The node that reads the float {@link #input()}: the projection itself, or the quantizer in
     * front of it ({@code DynamicQuantizeLinear}, the {@code QuantizeLinear} of a QDQ pair). Several
     * projections of one input may share it.
     */
    public Node entry() {
        Node n = node;
        for (int i = 0; i < 4 && n.input(0) != null && n.input(0) != input; i++) {
            Node p = n.input(0).producer();
            if (p == null) {
                break;
            }
            n = p;
        }
        return n;
    }

    /** A short name of the form, for messages: {@code MatMul}, {@code MatMulNBits}, {@code MatMulInteger (dynamic int8)}. */
    public String form() {
        if (node.isStandard("MatMulInteger")) {
            return rescaleOf(node) != null ? "MatMulInteger (dynamic int8, rescaled to float)"
                    : "MatMulInteger (int32 accumulator, no rescale to float)";
        }
        return node.opType();
    }

    private static Linear dynamicInt8(Node mul, Constants constants) {
        for (int side = 0; side < 2; side++) {
            Value product = mul.input(side);
            Value scale = mul.input(1 - side);
            Node cast = product == null ? null : product.producer();
            if (cast == null || !cast.isStandard("Cast") || cast.input(0) == null || scale == null) {
                continue;
            }
            Node integer = cast.input(0).producer();
            if (integer == null || !integer.isStandard("MatMulInteger") || integer.input(0) == null
                    || !constants.isConstant(integer.input(1))) {
                continue;
            }
            Node quantizer = integer.input(0).producer();
            if (quantizer == null || !quantizer.isStandard("DynamicQuantizeLinear") || quantizer.input(0) == null
                    || rescaleOf(integer) != cast) {
                continue;
            }
            return withWeightShape(integer, quantizer.input(0), mul.output(0), integer.input(1), false);
        }
        return null;
    }

    /**
     * Whether {@code scale} is the activation's dynamic scale times a constant (the weight's
     * scale; ORT writes it as an initializer) or the dynamic scale alone.
     */
    private static boolean scalesActivation(Value scale, Value activationScale) {
        if (scale == activationScale) {
            return true;
        }
        Node p = scale.producer();
        if (p == null || !p.isStandard("Mul") || p.inputs().size() != 2) {
            return false;
        }
        return (p.input(0) == activationScale && isStored(p.input(1)))
                || (p.input(1) == activationScale && isStored(p.input(0)));
    }

    private static boolean isStored(Value v) {
        return v != null && (v.isInitializer() || (v.producer() != null && v.producer().isStandard("Constant")));
    }

    /**
     * The Cast that turns a MatMulInteger's accumulator into float on its way to the Mul by the
     * scales, or null when the accumulator is not rescaled that way.
     */
    private static Node rescaleOf(Node integer) {
        Value acc = integer.output(0);
        Node quantizer = integer.input(0) == null ? null : integer.input(0).producer();
        if (acc == null || acc.uses().size() != 1 || quantizer == null
                || !quantizer.isStandard("DynamicQuantizeLinear")) {
            return null;
        }
        Node cast = acc.uses().get(0).node();
        if (!cast.isStandard("Cast") || cast.output(0) == null || cast.output(0).uses().size() != 1) {
            return null;
        }
        Node mul = cast.output(0).uses().get(0).node();
        if (!mul.isStandard("Mul") || mul.inputs().size() != 2) {
            return null;
        }
        Value scale = mul.input(0) == cast.output(0) ? mul.input(1) : mul.input(0);
        return scale != null && scalesActivation(scale, quantizer.output(1)) ? cast : null;
    }

    private static DataType floatTypeOf(Value constant) {
        if (constant == null) {
            return DataType.UNDEFINED;
        }
        Tensor t = Constants.backingTensor(constant);
        if (t != null && t.dtype().isFloatingPoint()) {
            return t.dtype();
        }
        Node p = constant.producer();
        if (p != null && p.isStandard("DequantizeLinear")) {
            return floatTypeOf(p.input(1));
        }
        return constant.dtype();
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
