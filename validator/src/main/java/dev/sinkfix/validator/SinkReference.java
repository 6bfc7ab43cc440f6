package dev.sinkfix.validator;

import java.util.Arrays;
import java.util.List;

/**
 * The patch of PATCH-SEMANTICS.md ("Computation") in plain Java, written from the specification
 * and not from the graph, so the graph can be checked against it. Per row {@code b}:
 * <pre>
 *   captured[b,:] = A[b, t*, K]  if a real token t* of this call is at the capture position
 *                 = past[b,:]    otherwise
 *   present       = captured
 *   A'[b,t,K]     = captured[b,:] for every real token t after the capture position
 *   A'            = A everywhere else
 * </pre>
 * Values are copied, never computed, so a correct graph matches this exactly.
 */
public final class SinkReference {
    private SinkReference() {
    }

    /**
     * What the patched graph must produce for one call.
     *
     * @param patched        the site as its former readers must see it
     * @param presentState   {@code [batch, n]}, the value of {@code present_sink_state.{L}}
     * @param captureColumns per row, the column of this call where the state was captured, or -1
     */
    public record Outcome(SiteTensor patched, float[][] presentState, int[] captureColumns) {
    }

    /**
     * @param original        the site as the unpatched model computes it for this call
     * @param where           positions and padding of this call's tokens
     * @param pastState       {@code [batch, n]}, what was fed to {@code past_sink_state.{L}}
     * @param neurons         the pinned neurons, in the state's order
     * @param capturePosition the position whose value is captured
     */
    public static Outcome apply(SiteTensor original, TokenPositions where, float[][] pastState, List<Integer> neurons,
                                int capturePosition) {
        int batch = original.batch();
        int seq = original.seq();
        int n = neurons.size();
        if (where.batch() != batch || where.length() != seq) {
            throw new IllegalArgumentException("positions are for [" + where.batch() + ", " + where.length()
                    + "] tokens, the site is " + original);
        }
        if (pastState.length != batch || Arrays.stream(pastState).anyMatch(r -> r.length != n)) {
            throw new IllegalArgumentException("past state must be [" + batch + ", " + n + "]");
        }
        for (int neuron : neurons) {
            if (neuron < 0 || neuron >= original.width()) {
                throw new IllegalArgumentException("neuron " + neuron + " outside 0.." + (original.width() - 1));
            }
        }
        float[] values = original.values();
        float[][] present = new float[batch][];
        int[] captureColumns = new int[batch];
        for (int b = 0; b < batch; b++) {
            captureColumns[b] = -1;
            for (int t = 0; t < seq; t++) {
                if (where.isCapture(b, t, capturePosition)) {
                    if (captureColumns[b] >= 0) {
                        throw new IllegalArgumentException("row " + b + " has two real tokens at the capture position "
                                + capturePosition + " (columns " + captureColumns[b] + " and " + t + ")");
                    }
                    captureColumns[b] = t;
                }
            }
            present[b] = new float[n];
            for (int k = 0; k < n; k++) {
                present[b][k] = captureColumns[b] >= 0
                        ? original.get(b, captureColumns[b], neurons.get(k)) : pastState[b][k];
            }
            for (int t = 0; t < seq; t++) {
                if (where.isOverridden(b, t, capturePosition)) {
                    for (int k = 0; k < n; k++) {
                        values[original.offset(b, t, neurons.get(k))] = present[b][k];
                    }
                }
            }
        }
        SiteTensor patched = new SiteTensor(original.dtype(), batch, seq, original.width(), values);
        return new Outcome(patched, present, captureColumns);
    }
}
