package dev.sinkfix.runtime.generate;

import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drives a decoder session call by call with the feed and state rules of {@link Generator} (one
 * engine for {@code run}, {@code probe} and {@code validate}): the token inputs the model has
 * ({@link TokenFeeds}), and every state pair ({@link StatePairs}: the KV cache, a patched model's
 * sink state, any {@code past*}/{@code present*}) zero on the first call
 * ({@link StatePair#firstCallShape}) and then fed what the previous call returned. Unlike the
 * generator it copies every output into Java ({@link HostTensor}), for callers that compare them,
 * and holds no native object between calls.
 */
public final class Stepper {
    public static final String INPUT_IDS = DecoderSignature.INPUT_IDS;
    public static final String ATTENTION_MASK = DecoderSignature.ATTENTION_MASK;
    public static final String POSITION_IDS = DecoderSignature.POSITION_IDS;

    private final ModelSession session;
    private final DecoderSignature signature;
    private final int batch;
    private Map<String, HostTensor> past;

    /**
     * One call: its inputs, the past it was fed and every output it returned.
     *
     * @param pastFed what went into each state input
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
    public Stepper(ModelSession session, int batch) {
        this.session = session;
        this.signature = signature(session);
        this.batch = batch;
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
        for (StatePair pair : signature.states()) {
            next.put(pair.past().name(), step.output(pair.present().name()));
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
     * state inputs are fed.
     */
    public static Step run(ModelSession session, StepInputs call, Map<String, HostTensor> past) throws OrtException {
        DecoderSignature signature = signature(session);
        Map<String, HostTensor> fed = new LinkedHashMap<>();
        try (Feeds feeds = new Feeds()) {
            TokenFeeds.put(feeds, signature, call.inputIds(), call.attentionMask(), call.positionIds());
            for (StatePair pair : signature.states()) {
                String name = pair.past().name();
                HostTensor value = past.get(name);
                if (value == null) {
                    throw new IllegalArgumentException("nothing to feed the model's state input " + pair.past()
                            + "; the past holds " + String.join(", ", past.keySet()));
                }
                feeds.own(name, value.toOnnx());
                fed.put(name, value);
            }
            Map<String, HostTensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds.map())) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    outputs.put(e.getKey(), HostTensor.read(e.getValue()));
                }
            }
            return new Step(call, fed, outputs);
        }
    }

    /** Each state input and the output that returns it, by {@link StatePairs}' rules. */
    public static Map<String, String> cachePairs(ModelSession session) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (StatePair p : signature(session).states()) {
            pairs.put(p.past().name(), p.present().name());
        }
        return pairs;
    }

    /** The first call's past, as {@link Generator} makes it: zeros of {@link StatePair#firstCallShape}. */
    public static Map<String, HostTensor> emptyPast(ModelSession session, int batch) {
        Map<String, HostTensor> past = new LinkedHashMap<>();
        for (StatePair p : signature(session).states()) {
            past.put(p.past().name(), HostTensor.zeros(p.past().dtype(), p.firstCallShape(batch)));
        }
        return past;
    }

    private static DecoderSignature signature(ModelSession session) {
        DecoderSignature s = DecoderSignature.read(session.inputs(), session.outputs());
        if (s.inputIds() == null) {
            throw new IllegalArgumentException("the model has no int64/int32 input_ids [batch, sequence] input");
        }
        for (IoSpec in : s.unknownInputs()) {
            throw new IllegalArgumentException("the model's input " + in + " is neither a token input nor a "
                    + "past* input with a present* output");
        }
        return s;
    }
}
