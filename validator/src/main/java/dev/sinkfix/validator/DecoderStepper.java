package dev.sinkfix.validator;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.Tensors;
import dev.sinkfix.runtime.generate.DecoderSignature;
import dev.sinkfix.runtime.generate.StatePair;
import dev.sinkfix.surgery.ir.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a decoder session call by call as a generation loop does: every {@code past_*} input
 * (the KV cache {@code past_key_values.{i}.key|value} and the sink state
 * {@code past_sink_state.{L}}) starts empty or zero and is then fed what the previous call
 * returned in its {@code present_*} twin. Holds no native object between calls.
 */
public final class DecoderStepper {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POSITION_IDS = "position_ids";

    private final ModelSession session;
    private final int batch;
    private final Map<String, String> pastToPresent;
    private Map<String, HostTensor> past;

    /**
     * One call: its inputs, the past it was fed and every output it returned.
     *
     * @param pastFed what went into each {@code past_*} input
     */
    public record Step(StepInputs inputs, Map<String, HostTensor> pastFed, Map<String, HostTensor> outputs) {
        public Step {
            pastFed = Collections.unmodifiableMap(new LinkedHashMap<>(pastFed));
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }

        public HostTensor output(String name) {
            HostTensor t = outputs.get(name);
            if (t == null) {
                throw new IllegalArgumentException("the call returned no output '" + name + "'; it returned "
                        + String.join(", ", outputs.keySet()));
            }
            return t;
        }

        public HostTensor past(String name) {
            HostTensor t = pastFed.get(name);
            if (t == null) {
                throw new IllegalArgumentException("the call was fed no '" + name + "'; it was fed "
                        + String.join(", ", pastFed.keySet()));
            }
            return t;
        }
    }

    /** A stepper for {@code batch} rows, its caches empty and its sink states zero. */
    public DecoderStepper(ModelSession session, int batch) {
        this.session = session;
        this.batch = batch;
        this.pastToPresent = cachePairs(session);
        this.past = emptyPast(session, batch);
    }

    /** Runs one call with the carried past, and carries its present on to the next call. */
    public Step step(StepInputs call) throws OrtException {
        if (call.batch() != batch) {
            throw new IllegalArgumentException("the stepper carries the past of " + batch + " rows; the call has "
                    + call.batch());
        }
        Step step = run(session, call, past);
        Map<String, HostTensor> next = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pastToPresent.entrySet()) {
            next.put(pair.getKey(), step.output(pair.getValue()));
        }
        past = next;
        return step;
    }

    /** What the next call will be fed. */
    public Map<String, HostTensor> past() {
        return Collections.unmodifiableMap(past);
    }

    /**
     * Runs {@code session} once for every output. {@code past} may hold more than the session
     * reads (a patched model's sink state, fed alongside to the original): only the session's own
     * inputs are fed.
     */
    public static Step run(ModelSession session, StepInputs call, Map<String, HostTensor> past) throws OrtException {
        Map<String, HostTensor> fed = new LinkedHashMap<>();
        try (Feeds feeds = new Feeds()) {
            for (IoSpec in : session.inputs()) {
                switch (in.name()) {
                    case INPUT_IDS -> feeds.ints(in, call.inputIds());
                    case ATTENTION_MASK -> feeds.ints(in, call.attentionMask());
                    case POSITION_IDS -> feeds.ints(in, call.positionIds());
                    default -> {
                        HostTensor value = past.get(in.name());
                        if (value == null) {
                            throw new IllegalArgumentException("nothing to feed the model's input " + in
                                    + "; the past holds " + String.join(", ", past.keySet()));
                        }
                        feeds.put(in.name(), value.toOnnx());
                        fed.put(in.name(), value);
                    }
                }
            }
            Map<String, HostTensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds.tensors)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    outputs.put(e.getKey(), HostTensor.read(e.getValue()));
                }
            }
            return new Step(call, fed, outputs);
        }
    }

    /**
     * Each state input and the output that returns it, by the runtime's own rules
     * ({@link StatePairs}: {@code past_key_values.0.key} and {@code present.0.key},
     * {@code past_sink_state.1} and {@code present_sink_state.1}, any {@code past*} and
     * {@code present*}), so what is validated is threaded as {@code run} threads it.
     */
    public static Map<String, String> cachePairs(ModelSession session) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (StatePair p : signature(session).states()) {
            pairs.put(p.past().name(), p.present().name());
        }
        return pairs;
    }

    /**
     * The first call's past, as {@code run} makes it ({@link StatePair#firstCallShape}): the
     * batch axis is {@code batch}, the past length 0, fixed dimensions keep their size (the sink
     * state's width), all zeros.
     */
    public static Map<String, HostTensor> emptyPast(ModelSession session, int batch) {
        Map<String, HostTensor> past = new LinkedHashMap<>();
        for (StatePair p : signature(session).states()) {
            past.put(p.past().name(), HostTensor.zeros(p.past().dtype(), p.firstCallShape(batch)));
        }
        return past;
    }

    private static DecoderSignature signature(ModelSession session) {
        DecoderSignature s = DecoderSignature.read(session.inputs(), session.outputs());
        for (IoSpec in : s.unknownInputs()) {
            throw new IllegalArgumentException("the model's input " + in + " is neither a token input nor a "
                    + "past* input with a present* output");
        }
        return s;
    }

    /** Native input tensors of one call, all closed together. */
    private static final class Feeds implements AutoCloseable {
        final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();

        void put(String name, OnnxTensor tensor) {
            tensors.put(name, tensor);
        }

        void ints(IoSpec spec, long[][] rows) throws OrtException {
            long[] shape = {rows.length, rows.length == 0 ? 0 : rows[0].length};
            long[] flat = StepInputs.flatten(rows);
            if (spec.dtype() == DataType.INT32) {
                int[] narrow = new int[flat.length];
                for (int i = 0; i < flat.length; i++) {
                    narrow[i] = Math.toIntExact(flat[i]);
                }
                put(spec.name(), Tensors.int32(narrow, shape));
            } else {
                put(spec.name(), Tensors.int64(flat, shape));
            }
        }

        @Override
        public void close() {
            for (OnnxTensor t : tensors.values()) {
                t.close();
            }
        }
    }
}
