package dev.sinkfix.validator.find;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.Tensors;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.runtime.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One row of tokens through a session in one call, from an empty past: ids, a mask of ones and
 * positions {@code 0..n-1} for the token inputs the model has, {@code given} for the inputs named
 * there (the intervention), and for every other input (the KV cache, a sink state) the first
 * call's empty or zero value. Only the {@code wanted} outputs are computed and copied out, so a
 * long run does not bring back every tap.
 */
final class TokenRuns {
    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String POSITION_IDS = "position_ids";
    private final ModelSession session;

    TokenRuns(ModelSession session) {
        this.session = session;
    }

    ModelSession session() {
        return session;
    }

    Map<String, HostTensor> run(long[] ids, Map<String, HostTensor> given, Set<String> wanted) throws OrtException {
        List<OnnxTensor> fed = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            long[] positions = new long[ids.length];
            long[] ones = new long[ids.length];
            for (int t = 0; t < ids.length; t++) {
                positions[t] = t;
                ones[t] = 1;
            }
            for (IoSpec in : session.inputs()) {
                OnnxTensor tensor = switch (in.name()) {
                    case INPUT_IDS -> ints(in, ids);
                    case ATTENTION_MASK -> ints(in, ones);
                    case POSITION_IDS -> ints(in, positions);
                    default -> {
                        HostTensor value = given.get(in.name());
                        yield (value != null ? value : firstCallValue(in)).toOnnx();
                    }
                };
                fed.add(tensor);
                feeds.put(in.name(), tensor);
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds, wanted)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), HostTensor.read(e.getValue()));
                }
            }
            return out;
        } finally {
            fed.forEach(OnnxTensor::close);
        }
    }

    /** Zeros, batch of one, every open dimension 0: an empty cache, a sink state not captured yet. */
    private static HostTensor firstCallValue(IoSpec in) {
        long[] shape = in.shape();
        for (int axis = 0; axis < shape.length; axis++) {
            shape[axis] = axis == 0 ? 1 : Math.max(shape[axis], 0);
        }
        return HostTensor.zeros(in.dtype(), shape);
    }

    private static OnnxTensor ints(IoSpec spec, long[] row) throws OrtException {
        if (spec.dtype() == DataType.INT32) {
            int[] narrow = new int[row.length];
            for (int i = 0; i < row.length; i++) {
                narrow[i] = Math.toIntExact(row[i]);
            }
            return Tensors.int32(narrow, 1, row.length);
        }
        return Tensors.int64(row, 1, row.length);
    }
}
