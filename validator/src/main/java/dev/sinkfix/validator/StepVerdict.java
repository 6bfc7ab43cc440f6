package dev.sinkfix.validator;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.generate.StepInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The per-call invariants of one patched layer on one paired call: what {@code validate}
 * reports and what the tests assert empty.
 *
 * @param outputsUpToCapture invariant 1, every output the original model has (logits, present KV)
 * @param pinned             invariant 3
 * @param onlyPinnedDiffer   invariant 4
 * @param reference          the patched site and state against {@link SinkReference}
 */
public record StepVerdict(List<Mismatch> outputsUpToCapture, List<Mismatch> pinned, List<Mismatch> onlyPinnedDiffer,
                          List<Mismatch> reference) {

    /**
     * Checks {@code step} for {@code layer}; {@code outputs} is the tolerance for invariant 1,
     * the site checks are exact. Invariant 1 covers every output of the original model but the
     * layer's site tap.
     */
    public static StepVerdict check(PatchedLayer layer, PairedStepper.PairedStep step, Tolerance outputs) {
        return check(layer, step, outputs, Set.of(layer.siteTensor()));
    }

    /**
     * Like {@link #check(PatchedLayer, PairedStepper.PairedStep, Tolerance)}, leaving out of
     * invariant 1 the outputs in {@code taps} (tensors exposed to read them, not the model's own
     * outputs) and every sink state.
     */
    public static StepVerdict check(PatchedLayer layer, PairedStepper.PairedStep step, Tolerance outputs,
                                    Set<String> taps) {
        StepInputs call = step.inputs();
        TokenPositions where = step.where();
        List<Mismatch> upstream = new ArrayList<>();
        for (String name : step.original().outputs().keySet()) {
            if (taps.contains(name) || name.startsWith("present_sink_state.")) {
                continue;
            }
            HostTensor o = step.original().output(name);
            TensorComparison.Layout layout = layoutOf(o, call, where);
            upstream.addAll(PatchInvariants.unchangedUpToCapture(name, o, step.patched().output(name),
                    layer.capturePosition(), layout, outputs));
        }
        SiteTensor original = SiteTensor.of(step.original().output(layer.siteTensor()), call.batch(), call.length());
        SiteTensor patched = SiteTensor.of(step.patched().output(layer.patchedTensor()), call.batch(), call.length());
        float[][] past = step.patched().past(layer.stateInput()).rows();
        float[][] present = step.patched().output(layer.stateOutput()).rows();
        return new StepVerdict(upstream,
                PatchInvariants.pinnedAfterCapture(layer, where, patched, present),
                PatchInvariants.onlyPinnedNeuronsDiffer(layer, where, original, patched),
                PatchInvariants.matchesReference(layer, where, original, past, patched, present));
    }

    /**
     * Where a decoder output keeps its tokens: logits {@code [batch, seq, vocab]} on axis 1, a
     * present KV cache {@code [batch, heads, past+seq, dim]} on axis 2 after the past.
     */
    public static TensorComparison.Layout layoutOf(HostTensor output, StepInputs call, TokenPositions where) {
        return switch (output.rank()) {
            case 3 -> new TensorComparison.Layout(1, 0, where);
            case 4 -> new TensorComparison.Layout(2, (int) output.dim(2) - call.length(), where);
            default -> throw new IllegalArgumentException("cannot tell where the tokens are in an output " + output);
        };
    }

    public boolean holds() {
        return outputsUpToCapture.isEmpty() && pinned.isEmpty() && onlyPinnedDiffer.isEmpty() && reference.isEmpty();
    }
}
