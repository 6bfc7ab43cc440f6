package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.ir.DataType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime's {@code quantize_dynamic} (weight type int8, per tensor, symmetric, no reduced
 * range; {@code MatMulConstBOnly}), restricted to {@code op_types_to_quantize=["MatMul"]}. Each
 * MatMul by a constant fp32 matrix becomes, under the names ORT gives them:
 *
 * <pre>
 * DynamicQuantizeLinear(x)            "{x}_QuantizeLinear" -> x_quantized, x_scale, x_zero_point (shared by every reader of x)
 * MatMulInteger(x_q, W_q, x_zp, W_zp) "{node}_quant"       -> "{out}_output_quantized" (int32)
 * Cast(to=float)                      "{out}_output_quantized_cast"
 * Mul(x_scale, W_scale)               "{node}_quant_scales_mul"
 * Mul(cast, scales)                   "{node}_quant_output_scale_mul" -> the MatMul's own output name
 * </pre>
 *
 * The weight is {@code round(W / s)} with {@code s = max|W| / 127}, zero point 0 (int8). The
 * activation's scale is computed per call over the whole tensor, so a token's output depends
 * slightly on the other tokens of the call: positions before the capture position are no longer
 * bit-identical when later tokens change.
 *
 * <p>With {@code Gather} among the op types (ORT's default list for {@code quantize_dynamic}), each
 * Gather from a float initializer (the token embedding, the rotary cos/sin tables) reads
 * {@code {W}_quantized} instead and writes {@code {out}_quantized}, and
 * {@code DequantizeLinear(out_quantized, W_scale, W_zero_point)} named {@code {out}_DequantizeLinear}
 * gives back the Gather's own output name, as ORT does for a quantized value read by an operator it
 * leaves in float.
 */
final class DynamicInt8Quantizer {
    private DynamicInt8Quantizer() {
    }

    static void quantize(QuantGraph g) {
        quantize(g, false);
    }

    static void quantize(QuantGraph g, boolean gathers) {
        List<NodeProto> out = new ArrayList<>();
        Map<String, String[]> quantizedInputs = new HashMap<>();
        List<String> replacedWeights = new ArrayList<>();
        for (NodeProto n : g.graph().getNodeList()) {
            TensorProto w = n.getOpType().equals("MatMul") && n.getDomain().isEmpty() && n.getInputCount() == 2
                    ? g.floatMatrix(n.getInput(1)) : null;
            TensorProto table = gathers && n.getOpType().equals("Gather") && n.getDomain().isEmpty()
                    && n.getInputCount() == 2 ? g.floatMatrix(n.getInput(0)) : null;
            if (table != null) {
                String[] tq = g.addInt8Weight(table);
                replacedWeights.add(table.getName());
                String gathered = n.getOutput(0) + "_quantized";
                out.add(n.toBuilder().setInput(0, tq[0]).setOutput(0, gathered).build());
                out.add(QuantGraph.node("DequantizeLinear", "", n.getOutput(0) + "_DequantizeLinear",
                        List.of(gathered, tq[1], tq[2]), List.of(n.getOutput(0))));
                continue;
            }
            if (w == null) {
                out.add(n);
                continue;
            }
            String x = n.getInput(0);
            String[] xq = quantizedInputs.get(x);
            if (xq == null) {
                xq = new String[] {x + "_quantized", x + "_scale", x + "_zero_point"};
                quantizedInputs.put(x, xq);
                out.add(QuantGraph.node("DynamicQuantizeLinear", "", x + "_QuantizeLinear", List.of(x), List.of(xq)));
            }
            String[] wq = g.addInt8Weight(w);
            replacedWeights.add(w.getName());
            String name = n.getName() + "_quant";
            String integer = n.getOutput(0) + "_output_quantized";
            String cast = integer + "_cast_output";
            String scales = name + "_scales_mul:0";
            out.add(QuantGraph.node("MatMulInteger", "", name, List.of(xq[0], wq[0], xq[2], wq[2]), List.of(integer)));
            out.add(QuantGraph.node("Cast", "", integer + "_cast", List.of(integer), List.of(cast),
                    QuantGraph.intAttribute("to", DataType.FLOAT.code())));
            out.add(QuantGraph.node("Mul", "", name + "_scales_mul", List.of(xq[1], wq[1]), List.of(scales)));
            out.add(QuantGraph.node("Mul", "", name + "_output_scale_mul", List.of(cast, scales), n.getOutputList()));
        }
        g.graph().clearNode().addAllNode(out);
        for (String w : replacedWeights) {
            if (g.users(w) == 0) {
                g.removeInitializer(w);
            }
        }
    }
}
