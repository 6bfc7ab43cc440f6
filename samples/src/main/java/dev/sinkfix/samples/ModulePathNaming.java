package dev.sinkfix.samples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names after the module that runs the op, numbered per module and operator ({@code Mul},
 * {@code Mul_1}, ...), as both TorchScript exports and the genai builder do; they differ in the
 * output suffix and in whether constants are shared.
 */
final class ModulePathNaming implements NamingScheme {
    private final String outputSuffix;
    private final boolean sharedConstants;
    private final Map<String, Integer> counters = new HashMap<>();

    ModulePathNaming(String outputSuffix, boolean sharedConstants) {
        this.outputSuffix = outputSuffix;
        this.sharedConstants = sharedConstants;
    }

    @Override
    public NodeNames next(String scope, String opType, int outputs) {
        String base = scope + "/" + opType;
        int n = counters.merge(base, 1, Integer::sum) - 1;
        String node = n == 0 ? base : base + "_" + n;
        List<String> outs = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            outs.add(node + outputSuffix + i);
        }
        return new NodeNames(node, outs);
    }

    @Override
    public NodeNames constant(String scope, String description) {
        if (sharedConstants) {
            return new NodeNames("/model/constant_nodes/" + description, List.of("/model/constants/" + description));
        }
        return next(scope, "Constant", 1);
    }

    @Override
    public boolean sharesConstants() {
        return sharedConstants;
    }
}
