package dev.sinkfix.validator.find;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.validator.probe.LayerNorms;
import dev.sinkfix.validator.probe.ProbeSettings;
import dev.sinkfix.validator.probe.RepeatProbe;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** BoS followed by one token repeated, in one prefill (attention is causal: one call gives every count). */
final class RepeatRuns {
    private static final int SHORTEST = 8;

    private RepeatRuns() {
    }

    /** The run length the model accepted and that run's outputs. */
    record Fitted(int length, Map<String, HostTensor> outputs) {
    }

    static long[] ids(long bos, long token, int length) {
        long[] ids = new long[length + 1];
        Arrays.fill(ids, token);
        ids[0] = bos;
        return ids;
    }

    /**
     * The longest run up to {@code wanted} that the model accepts in one call, halving on a refusal
     * (a rotary table or a fixed position limit shorter than the run).
     */
    static Fitted fit(TokenRuns runs, long bos, long token, int wanted, Map<String, HostTensor> feeds,
                      Set<String> outputs) throws OrtException {
        OrtException last = null;
        for (int length = wanted; length >= SHORTEST; length /= 2) {
            try {
                return new Fitted(length, runs.run(ids(bos, token, length), feeds, outputs));
            } catch (OrtException e) {
                last = e;
            }
        }
        throw new BadInputException("the model could not run even " + SHORTEST + " repeats after BoS in one call ("
                + Sessions.condense(last == null ? "" : last.getMessage()) + ")");
    }

    /** Probe's figures for a run's residual norms at {@code layer} (BoS first). */
    static LayerNorms figures(int layer, float[] norms, double typical, long bos, long token, double sinkFactor) {
        ProbeSettings s = new ProbeSettings(bos, token, List.of(norms.length - 1), layer, 0, 0, 0, sinkFactor);
        return RepeatProbe.summarize(layer, norms, typical, s);
    }
}
