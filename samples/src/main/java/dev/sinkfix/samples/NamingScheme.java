package dev.sinkfix.samples;

import java.util.List;

/**
 * How an exporter names nodes and the values they produce. Surgery must match by structure and
 * only use names as hints, so samples reproduce each exporter's naming habits faithfully:
 * module paths with {@code _output_0} (TorchScript), module paths with {@code /output_0} and
 * shared constants (genai), or aten-op value names with no module path at all (dynamo).
 */
public interface NamingScheme {

    /** A node name and its output value names. */
    record NodeNames(String node, List<String> outputs) {
    }

    /** Names for a new node of {@code opType} inside module {@code scope} with {@code outputs} outputs. */
    NodeNames next(String scope, String opType, int outputs);

    /**
     * Names for a {@code Constant} node in {@code scope}; {@code description} reads like the genai
     * builder's constant names ({@code TensorProto.INT64/1D/0}).
     */
    NodeNames constant(String scope, String description);

    /** Whether equal constants are one node, read by every user (the genai builder's habit). */
    boolean sharesConstants();

    /** {@code /model/layers.0/mlp/up_proj/MatMul}, output {@code /model/layers.0/mlp/up_proj/MatMul_output_0}. */
    static NamingScheme torchScript() {
        return new ModulePathNaming("_output_", false);
    }

    /** {@code /model/layers.0/mlp/up_proj/MatMul}, output {@code /model/layers.0/mlp/up_proj/MatMul/output_0}. */
    static NamingScheme genaiBuilder() {
        return new ModulePathNaming("/output_", true);
    }

    /** {@code node_MatMul_12}, output {@code matmul_3}: no module path anywhere. */
    static NamingScheme dynamo() {
        return new AtenNaming();
    }
}
