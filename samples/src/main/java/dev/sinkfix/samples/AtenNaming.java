package dev.sinkfix.samples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dynamo exporter's names: nodes {@code node_<Op>_<n>} numbered across the graph, values
 * after the aten op they come from ({@code linear}, {@code add_4}, {@code mm_5}). Module scopes
 * are ignored, so no {@code layers.N} appears in any node or value name.
 */
final class AtenNaming implements NamingScheme {
    private static final Map<String, String> ATEN = Map.ofEntries(
            Map.entry("MatMul", "matmul"), Map.entry("Gemm", "linear"), Map.entry("Add", "add"),
            Map.entry("Sub", "sub"), Map.entry("Mul", "mul"), Map.entry("Div", "div"), Map.entry("Pow", "pow"),
            Map.entry("ReduceMean", "mean"), Map.entry("Sqrt", "sqrt"), Map.entry("Reciprocal", "rsqrt"),
            Map.entry("Softmax", "softmax"), Map.entry("Concat", "cat"), Map.entry("Neg", "neg"),
            Map.entry("Slice", "slice"), Map.entry("Transpose", "transpose"), Map.entry("Reshape", "view"),
            Map.entry("Gather", "index"), Map.entry("Sigmoid", "sigmoid"), Map.entry("Cast", "_to_copy"),
            Map.entry("Unsqueeze", "unsqueeze"), Map.entry("Expand", "expand"), Map.entry("Where", "where"),
            Map.entry("Range", "arange"), Map.entry("Shape", "sym_size"), Map.entry("LessOrEqual", "le"),
            Map.entry("And", "bitwise_and"));
    private final Map<String, Integer> valueCounters = new HashMap<>();
    private int nodeCounter;

    @Override
    public NodeNames next(String scope, String opType, int outputs) {
        String node = "node_" + opType + "_" + nodeCounter++;
        String aten = ATEN.getOrDefault(opType, opType.toLowerCase(Locale.ROOT));
        int n = valueCounters.merge(aten, 1, Integer::sum) - 1;
        String value = n == 0 ? aten : aten + "_" + n;
        List<String> outs = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            outs.add(i == 0 ? value : value + "_" + i);
        }
        return new NodeNames(node, outs);
    }

    @Override
    public NodeNames constant(String scope, String description) {
        int n = nodeCounter++;
        return new NodeNames("node_Constant_" + n, List.of("val_" + n));
    }

    @Override
    public boolean sharesConstants() {
        return false;
    }
}
