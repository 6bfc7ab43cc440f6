package dev.sinkfix.samples;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a sample decoder step by step as a generation loop does: feeds the inputs every export
 * shares, returns the logits and the present cache to feed back as the next past.
 */
final class DecoderRunner implements AutoCloseable {
    private final SampleSpec spec;
    private final OrtRunner runner;

    DecoderRunner(SampleSpec spec, Path model) throws OrtException {
        this.spec = spec;
        this.runner = new OrtRunner(model);
    }

    /** Per layer key and value caches, {@code [batch, kv, length, hd]}. */
    record Cache(List<HostTensor> keys, List<HostTensor> values) {
    }

    /** Logits {@code [batch, seq, vocab]} and the cache after the step. */
    record Step(HostTensor logits, Cache cache) {
        /** The logits of one token: row {@code batch}, position {@code position} of this step. */
        float[] logitsAt(int batch, int position) {
            int seq = (int) logits.shape()[1];
            int vocab = (int) logits.shape()[2];
            float[] row = new float[vocab];
            int base = (batch * seq + position) * vocab;
            for (int i = 0; i < vocab; i++) {
                row[i] = logits.floatAt(base + i);
            }
            return row;
        }
    }

    Cache emptyCache(int batch) {
        OnnxJavaType type = spec.dtype() == Precision.FP16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
        List<HostTensor> keys = new ArrayList<>();
        List<HostTensor> values = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            keys.add(HostTensor.empty(type, batch, spec.kvHeads(), 0, spec.headDim()));
            values.add(HostTensor.empty(type, batch, spec.kvHeads(), 0, spec.headDim()));
        }
        return new Cache(keys, values);
    }

    Step step(long[][] inputIds, long[][] attentionMask, long[][] positionIds, Cache past) throws OrtException {
        Map<String, HostTensor> out = outputs(inputIds, attentionMask, positionIds, past);
        List<HostTensor> keys = new ArrayList<>();
        List<HostTensor> values = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            keys.add(out.get("present." + i + ".key"));
            values.add(out.get("present." + i + ".value"));
        }
        return new Step(out.get("logits"), new Cache(keys, values));
    }

    /** Every output of one step by name, extra outputs (taps) included. */
    Map<String, HostTensor> outputs(long[][] inputIds, long[][] attentionMask, long[][] positionIds, Cache past)
            throws OrtException {
        return outputs(inputIds, attentionMask, positionIds, past, Map.of());
    }

    /** The same with {@code extra} inputs fed too (a patched model's sink state). */
    Map<String, HostTensor> outputs(long[][] inputIds, long[][] attentionMask, long[][] positionIds, Cache past,
                                    Map<String, HostTensor> extra) throws OrtException {
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        feeds.put("input_ids", HostTensor.ofLongRows(inputIds));
        feeds.put("attention_mask", HostTensor.ofLongRows(attentionMask));
        feeds.put("position_ids", HostTensor.ofLongRows(positionIds));
        for (int i = 0; i < spec.layers(); i++) {
            feeds.put("past_key_values." + i + ".key", past.keys().get(i));
            feeds.put("past_key_values." + i + ".value", past.values().get(i));
        }
        feeds.putAll(extra);
        return runner.run(feeds);
    }

    @Override
    public void close() throws OrtException {
        runner.close();
    }
}
