package dev.sinkfix.samples;

import dev.sinkfix.runtime.Tensors;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.ir.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ONNX Runtime CPU session over a model file. Inputs and outputs cross as {@link HostTensor}s
 * and every native object is closed before {@link #run} returns. (The runtime module will own
 * sessions; until it exists, samples' tests use ORT directly through this.)
 */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(Path model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // Two cores on the test machine; one thread per session keeps parallel test classes fair.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = env.createSession(model.toString(), options);
        }
    }

    Map<String, HostTensor> run(Map<String, HostTensor> feeds) throws OrtException {
        return run(feeds, Map.of());
    }

    /** {@code ints}: int64 {@code [rows, columns]} inputs (token ids, mask, positions). */
    Map<String, HostTensor> run(Map<String, HostTensor> feeds, Map<String, long[][]> ints) throws OrtException {
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[][]> e : ints.entrySet()) {
                long[][] rows = e.getValue();
                long[] flat = java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
                inputs.put(e.getKey(), Tensors.int64(flat, rows.length, rows.length == 0 ? 0 : rows[0].length));
            }
            for (Map.Entry<String, HostTensor> e : feeds.entrySet()) {
                HostTensor t = e.getValue();
                // A one-element bool (optimum's use_cache_branch) rides in the shared host tensor as 0 or 1.
                inputs.put(e.getKey(), t.dtype() == DataType.BOOL && t.values().length == 1
                        ? OnnxTensor.createTensor(env, new boolean[] {t.values()[0] != 0}) : t.toOnnx());
            }
            Map<String, HostTensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(inputs)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    outputs.put(e.getKey(), HostTensor.read(e.getValue()));
                }
            }
            return outputs;
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
