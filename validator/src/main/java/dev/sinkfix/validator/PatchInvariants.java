package dev.sinkfix.validator;

import dev.sinkfix.runtime.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The four invariants of PATCH-SEMANTICS.md, and the reference check, over the tensors of one
 * call. Each returns the values that break it (empty when it holds). The site checks compare
 * exactly, every slot, padding included: the patch copies values with {@code Where} and never
 * computes one.
 *
 * <p>The output checks (logits, KV cache) skip padded slots. A padded slot's query has every key
 * masked, so what it computes is whatever an attention kernel makes of a fully masked row (a
 * spelled-out additive mask gives it a uniform average over every column, later ones included),
 * and nothing ever reads it: it differs between two splits of one sequence in the original model
 * too.
 */
public final class PatchInvariants {
    private static final String STATE_AXIS = "state slot";

    private PatchInvariants() {
    }

    /**
     * Invariant 1: an output of the patched model equals the original's at every real token that
     * cannot see a pinned value (attention is causal), within {@code tolerance}.
     */
    public static List<Mismatch> unchangedUpToCapture(String tensor, HostTensor original, HostTensor patched,
                                                      int capturePosition, TensorComparison.Layout layout,
                                                      Tolerance tolerance) {
        TokenPositions where = layout.where();
        return TensorComparison.compare(tensor, "original", original, "patched", patched, tolerance, layout,
                (b, t) -> where.isReal(b, t) && where.isUpstreamOfPatch(b, t, capturePosition));
    }

    /**
     * Invariant 2: a tensor computed in one call equals the same tensor assembled from several
     * calls (a prefill and decode steps) at every real token, within {@code tolerance}.
     */
    public static List<Mismatch> sameAcrossCalls(String tensor, HostTensor oneCall, HostTensor inSteps,
                                                 TensorComparison.Layout layout, Tolerance tolerance) {
        TokenPositions where = layout.where();
        return TensorComparison.compare(tensor, "one call", oneCall, "in steps", inSteps, tolerance, layout,
                where::isReal);
    }

    /** Invariant 2 for the sink state that the last call of each run returned. */
    public static List<Mismatch> sameState(PatchedLayer layer, float[][] oneCall, float[][] inSteps,
                                           Tolerance tolerance) {
        return compareState(layer, "one call", oneCall, "in steps", inSteps, tolerance);
    }

    /**
     * Invariant 3: at every real token after the capture position the chosen neurons hold the
     * captured value (the call's {@code present_sink_state}), and where this call captured, the
     * state is the site's value there.
     */
    public static List<Mismatch> pinnedAfterCapture(PatchedLayer layer, TokenPositions where, SiteTensor patched,
                                                    float[][] presentState) {
        List<Mismatch> found = new ArrayList<>();
        int c = layer.capturePosition();
        for (int b = 0; b < patched.batch(); b++) {
            for (int t = 0; t < patched.seq(); t++) {
                boolean after = where.isOverridden(b, t, c);
                if (!after && !where.isCapture(b, t, c)) {
                    continue;
                }
                for (int k = 0; k < layer.neurons().size(); k++) {
                    int neuron = layer.neurons().get(k);
                    float site = patched.get(b, t, neuron);
                    if (!Tolerance.EXACT.accepts(presentState[b][k], site)) {
                        found.add(new Mismatch(layer.patchedTensor() + (after ? "" : " at the capture"), b, t,
                                where.describe(b, t), "neuron", neuron, "captured (" + layer.stateOutput() + ")",
                                presentState[b][k], "patched site", site));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Invariant 4: at the same inputs the patched site equals the original site bit for bit,
     * except the chosen neurons at real tokens after the capture position.
     */
    public static List<Mismatch> onlyPinnedNeuronsDiffer(PatchedLayer layer, TokenPositions where,
                                                         SiteTensor original, SiteTensor patched) {
        sameShape(original, patched);
        List<Mismatch> found = new ArrayList<>();
        for (int b = 0; b < original.batch(); b++) {
            for (int t = 0; t < original.seq(); t++) {
                boolean after = where.isOverridden(b, t, layer.capturePosition());
                for (int i = 0; i < original.width(); i++) {
                    if (after && layer.isPinned(i)) {
                        continue;
                    }
                    float e = original.get(b, t, i);
                    float a = patched.get(b, t, i);
                    if (Float.floatToIntBits(e) != Float.floatToIntBits(a)) {
                        found.add(new Mismatch(layer.patchedTensor(), b, t, where.describe(b, t), "neuron", i,
                                "original (" + layer.siteTensor() + ")", e, "patched", a));
                    }
                }
            }
        }
        return found;
    }

    /**
     * The patched site and state equal {@link SinkReference} computed from the original site,
     * the positions and the past state, exactly.
     */
    public static List<Mismatch> matchesReference(PatchedLayer layer, TokenPositions where, SiteTensor original,
                                                  float[][] pastState, SiteTensor patched, float[][] presentState) {
        sameShape(original, patched);
        SinkReference.Outcome expected = SinkReference.apply(original, where, pastState, layer.neurons(),
                layer.capturePosition());
        List<Mismatch> found = new ArrayList<>();
        SiteTensor ref = expected.patched();
        for (int b = 0; b < ref.batch(); b++) {
            for (int t = 0; t < ref.seq(); t++) {
                for (int i = 0; i < ref.width(); i++) {
                    if (!Tolerance.EXACT.accepts(ref.get(b, t, i), patched.get(b, t, i))) {
                        found.add(new Mismatch(layer.patchedTensor(), b, t, where.describe(b, t), "neuron", i,
                                "reference", ref.get(b, t, i), "patched", patched.get(b, t, i)));
                    }
                }
            }
        }
        found.addAll(compareState(layer, "reference", expected.presentState(), "patched", presentState,
                Tolerance.EXACT));
        return found;
    }

    private static List<Mismatch> compareState(PatchedLayer layer, String expectedLabel, float[][] expected,
                                               String actualLabel, float[][] actual, Tolerance tolerance) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException(layer.stateOutput() + ": " + expected.length + " rows against "
                    + actual.length);
        }
        List<Mismatch> found = new ArrayList<>();
        for (int b = 0; b < expected.length; b++) {
            for (int k = 0; k < expected[b].length; k++) {
                if (!tolerance.accepts(expected[b][k], actual[b][k])) {
                    found.add(new Mismatch(layer.stateOutput(), b, -1, "neuron " + layer.neurons().get(k), STATE_AXIS,
                            k, expectedLabel, expected[b][k], actualLabel, actual[b][k]));
                }
            }
        }
        return found;
    }

    private static void sameShape(SiteTensor original, SiteTensor patched) {
        if (original.batch() != patched.batch() || original.seq() != patched.seq()
                || original.width() != patched.width()) {
            throw new IllegalArgumentException("the original site is " + original + ", the patched one " + patched);
        }
    }
}
