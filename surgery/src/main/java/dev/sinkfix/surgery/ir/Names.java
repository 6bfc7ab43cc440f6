package dev.sinkfix.surgery.ir;

import java.util.HashSet;
import java.util.Set;

/**
 * The names a model uses, shared by the main graph and all its subgraphs, so a fresh name is
 * unique everywhere (ONNX forbids a subgraph value from shadowing an outer one).
 */
final class Names {
    private final Set<String> values = new HashSet<>();
    private final Set<String> nodes = new HashSet<>();

    boolean valueTaken(String name) {
        return values.contains(name);
    }

    void claimValue(String name) {
        values.add(name);
    }

    void claimNode(String name) {
        if (!name.isEmpty()) {
            nodes.add(name);
        }
    }

    String freshValue(String base) {
        return fresh(values, base);
    }

    String freshNode(String base) {
        return fresh(nodes, base);
    }

    private static String fresh(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) {
            name = base + "_" + i;
        }
        taken.add(name);
        return name;
    }
}
