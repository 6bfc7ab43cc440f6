package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import dev.sinkfix.surgery.ir.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime's {@code quantize_static} in the QDQ format with its defaults (int8 weights per
 * tensor, symmetric; int8 activations, asymmetric, MinMax ranges; one pair per tensor shared by
 * all its readers), restricted to {@code op_types_to_quantize=["MatMul"]}. For every MatMul:
 * <ul>
 *   <li>a constant fp32 matrix becomes {@code {W}_quantized} (int8, {@code round(W / s)},
 *       {@code s = max|W| / 127}) read through {@code DequantizeLinear} "{W}_DequantizeLinear";</li>
 *   <li>every other input and the output T get {@code QuantizeLinear} "{T}_QuantizeLinear" and
 *       {@code DequantizeLinear} "{T}_DequantizeLinear" with scale {@code {T}_scale} and zero point
 *       {@code {T}_zero_point} from the calibrated range, and every reader of T reads the pair's
 *       output; a graph output keeps its name on the pair's output and its producer writes
 *       {@code {T}_QuantizeLinear_Input}.</li>
 * </ul>
 * The MatMul itself stays a plain float MatMul of two dequantized tensors.
 */
final class QdqQuantizer {
    private QdqQuantizer() {
    }

    /** The activations a QDQ pass over MatMuls quantizes: their non-constant inputs and their outputs. */
    static Set<String> activations(QuantGraph g) {
        Set<String> tensors = new LinkedHashSet<>();
        for (NodeProto n : g.graph().getNodeList()) {
            if (isMatMul(n)) {
                for (int i = 0; i < 2; i++) {
                    if (g.floatMatrix(n.getInput(i)) == null && !g.isInitializer(n.getInput(i))) {
                        tensors.add(n.getInput(i));
                    }
                }
                tensors.add(n.getOutput(0));
            }
        }
        return tensors;
    }

    /** {@code ranges} holds the calibrated {@code [min, max]} of every tensor of {@link #activations}. */
    static void quantize(QuantGraph g, Map<String, float[]> ranges) {
        Set<String> outputs = new LinkedHashSet<>();
        for (ValueInfoProto o : g.graph().getOutputList()) {
            outputs.add(o.getName());
        }
        Map<String, String> readAs = new LinkedHashMap<>();
        List<NodeProto> weightNodes = new ArrayList<>();
        List<String> replacedWeights = new ArrayList<>();
        for (NodeProto n : g.graph().getNodeList()) {
            if (!isMatMul(n)) {
                continue;
            }
            for (int i = 0; i < 2; i++) {
                String in = n.getInput(i);
                TensorProto w = g.floatMatrix(in);
                if (w != null && !readAs.containsKey(in)) {
                    readAs.put(in, dequantizedWeight(g, w, weightNodes));
                    replacedWeights.add(in);
                }
            }
        }
        for (String t : ranges.keySet()) {
            readAs.put(t, outputs.contains(t) ? t : t + "_DequantizeLinear_Output");
        }

        List<NodeProto> nodes = new ArrayList<>(weightNodes);
        for (NodeProto n : g.graph().getNodeList()) {
            NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                String read = readAs.get(b.getInput(i));
                if (read != null) {
                    b.setInput(i, read);
                }
            }
            List<NodeProto> pairs = new ArrayList<>();
            for (int i = 0; i < b.getOutputCount(); i++) {
                String t = b.getOutput(i);
                if (ranges.containsKey(t)) {
                    String quantizerInput = t;
                    if (outputs.contains(t)) {
                        quantizerInput = t + "_QuantizeLinear_Input";
                        b.setOutput(i, quantizerInput);
                    }
                    pairs.addAll(pair(g, t, quantizerInput, readAs.get(t), ranges.get(t)));
                }
            }
            nodes.add(b.build());
            nodes.addAll(pairs);
        }
        g.graph().clearNode().addAllNode(nodes);
        for (String w : replacedWeights) {
            if (g.users(w) == 0) {
                g.removeInitializer(w);
            }
        }
    }

    private static List<NodeProto> pair(QuantGraph g, String t, String input, String output, float[] range) {
        float lo = Math.min(0, range[0]);
        float hi = Math.max(0, range[1]);
        float scale = hi > lo ? (hi - lo) / 255f : 1f;
        int zeroPoint = (int) Math.max(-128, Math.min(127, Math.rint(-128 - lo / scale)));
        String scaleName = t + "_scale";
        String zeroName = t + "_zero_point";
        g.addInitializer(QuantGraph.floatTensor(scaleName, new long[0], new float[] {scale}));
        g.addInitializer(QuantGraph.tensor(zeroName, DataType.INT8, new long[0], new byte[] {(byte) zeroPoint}));
        String quantized = t + "_QuantizeLinear_Output";
        return List.of(
                QuantGraph.node("QuantizeLinear", "", t + "_QuantizeLinear", List.of(input, scaleName, zeroName),
                        List.of(quantized)),
                QuantGraph.node("DequantizeLinear", "", t + "_DequantizeLinear", List.of(quantized, scaleName, zeroName),
                        List.of(output)));
    }

    private static String dequantizedWeight(QuantGraph g, TensorProto w, List<NodeProto> nodes) {
        String[] q = g.addInt8Weight(w);
        String name = w.getName();
        String output = name + "_DequantizeLinear_Output";
        nodes.add(QuantGraph.node("DequantizeLinear", "", name + "_DequantizeLinear",
                List.of(q), List.of(output)));
        return output;
    }

    private static boolean isMatMul(NodeProto n) {
        return n.getOpType().equals("MatMul") && n.getDomain().isEmpty() && n.getInputCount() == 2;
    }
}
