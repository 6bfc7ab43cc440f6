package dev.sinkfix.runtime;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/**
 * ONNX Runtime graph optimisation levels. {@link #DISABLE} runs the graph exactly as written,
 * which is what validation wants: fused kernels round differently from the spelled-out graph.
 */
public enum GraphOptimization {
    DISABLE(OptLevel.NO_OPT),
    BASIC(OptLevel.BASIC_OPT),
    EXTENDED(OptLevel.EXTENDED_OPT),
    ALL(OptLevel.ALL_OPT);

    private final OptLevel level;

    GraphOptimization(OptLevel level) {
        this.level = level;
    }

    OptLevel ortLevel() {
        return level;
    }
}
