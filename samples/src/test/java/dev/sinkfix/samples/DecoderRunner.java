package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.runtime.HostTensor;
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
                row[i] = logits.values()[base + i];
            }
            return row;
        }
    }

    Cache emptyCache(int batch) {
        DataType type = spec.dtype() == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT;
        List<HostTensor> keys = new ArrayList<>();
        List<HostTensor> values = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            keys.add(HostTensor.zeros(type, batch, spec.kvHeads(), 0, spec.headDim()));
            values.add(HostTensor.zeros(type, batch, spec.kvHeads(), 0, spec.headDim()));
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
        Map<String, long[][]> ints = new LinkedHashMap<>();
        ints.put("input_ids", inputIds);
        ints.put("attention_mask", attentionMask);
        ints.put("position_ids", positionIds);
        for (int i = 0; i < spec.layers(); i++) {
            feeds.put("past_key_values." + i + ".key", past.keys().get(i));
            feeds.put("past_key_values." + i + ".value", past.values().get(i));
        }
        feeds.putAll(extra);
        return runner.run(feeds, ints);
    }

    @Override
    public void close() throws OrtException {
        runner.close();
    }
}
