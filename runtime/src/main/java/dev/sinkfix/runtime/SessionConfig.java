package dev.sinkfix.runtime;

import java.util.Objects;

/**
 * How to open a session.
 *
 * @param device         where to run
 * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose (one per core)
 * @param optimization   graph optimisation level
 * @param memoryPattern  ONNX Runtime's memory-pattern planning (worth it for fixed input shapes)
 * @param cpuArena       ONNX Runtime's CPU arena allocator (faster, but keeps memory it has used)
 */
public record SessionConfig(
        Device device, int intraOpThreads, GraphOptimization optimization, boolean memoryPattern, boolean cpuArena) {

    public SessionConfig {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(optimization, "optimization");
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be 0 (ONNX Runtime's choice) or more, got " + intraOpThreads);
        }
    }

    /** AUTO device, ONNX Runtime's thread count, all optimisations, memory pattern and arena on. */
    public static SessionConfig defaults() {
        return new SessionConfig(Device.AUTO, 0, GraphOptimization.ALL, true, true);
    }

    public SessionConfig withDevice(Device value) {
        return new SessionConfig(value, intraOpThreads, optimization, memoryPattern, cpuArena);
    }

    public SessionConfig withIntraOpThreads(int value) {
        return new SessionConfig(device, value, optimization, memoryPattern, cpuArena);
    }

    public SessionConfig withOptimization(GraphOptimization value) {
        return new SessionConfig(device, intraOpThreads, value, memoryPattern, cpuArena);
    }

    public SessionConfig withMemoryPattern(boolean value) {
        return new SessionConfig(device, intraOpThreads, optimization, value, cpuArena);
    }

    public SessionConfig withCpuArena(boolean value) {
        return new SessionConfig(device, intraOpThreads, optimization, memoryPattern, value);
    }
}
