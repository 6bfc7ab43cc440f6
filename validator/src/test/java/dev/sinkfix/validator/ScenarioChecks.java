package dev.sinkfix.validator;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.validator.PairedStepper.PairedStep;
import java.util.Arrays;
import java.util.List;

/**
 * What each scenario is there to show, asserted directly rather than left to the general
 * invariants: the patch did something, a one-token prompt captures at the first decode step,
 * padding is never captured nor pinned and each row keeps its own state.
 */
final class ScenarioChecks {
    private ScenarioChecks() {
    }

    static void check(Scenario scenario, PatchedLayer layer, PaddedBatch batch, List<List<PairedStep>> runs,
                      Findings findings) {
        patchChangedSomething(layer, runs.get(0).get(0), findings);
        for (int r = 0; r < runs.size(); r++) {
            List<PairedStep> run = runs.get(r);
            List<StepInputs> split = run.stream().map(PairedStep::inputs).toList();
            finiteLogits(run, split, findings);
            if (scenario == Scenario.LEFT_PADDED_PAIR) {
                paddingUntouched(layer, batch, run, split, findings);
            }
            stateCapturedOnceAndKept(layer, batch, run, split, findings);
        }
        if (batch.rows() > 1) {
            rowsKeepTheirOwnState(layer, batch, runs.get(0).get(0), findings);
        }
    }

    /**
     * Rows whose tokens up to the capture position differ hold different states; rows that agree
     * there hold the same one (a capture at BoS).
     */
    private static void rowsKeepTheirOwnState(PatchedLayer layer, PaddedBatch batch, PairedStep whole,
                                              Findings findings) {
        int upTo = layer.capturePosition() + 1;
        boolean samePrefix = Arrays.equals(Arrays.copyOf(batch.tokens(0), upTo), Arrays.copyOf(batch.tokens(1), upTo));
        float[][] state = whole.patched().output(layer.stateOutput()).rows();
        if (samePrefix) {
            Tolerance tolerance = Tolerances.acrossCalls(whole.patched().output(layer.stateOutput()).dtype());
            for (int k = 0; k < state[0].length; k++) {
                if (!tolerance.accepts(state[0][k], state[1][k])) {
                    findings.fail("one call", "rows 0 and 1 begin with the same tokens up to the capture position but "
                            + "hold different states at neuron " + layer.neurons().get(k) + ": " + state[0][k] + " and "
                            + state[1][k]);
                }
            }
        } else if (Arrays.equals(state[0], state[1])) {
            findings.fail("one call", "rows 0 and 1 hold the same state " + Arrays.toString(state[0])
                    + " although their tokens up to the capture position differ");
        }
    }

    /** NaN matches NaN in the comparisons, so a model that breaks down must not pass unnoticed. */
    private static void finiteLogits(List<PairedStep> run, List<StepInputs> split, Findings findings) {
        for (int i = 0; i < run.size(); i++) {
            PairedStep step = run.get(i);
            for (Stepper.Step side : List.of(step.original(), step.patched())) {
                HostTensor logits = side.output("logits");
                int vocab = (int) logits.dim(2);
                for (int b = 0; b < logits.dim(0); b++) {
                    for (int t = 0; t < logits.dim(1); t++) {
                        if (!step.where().isReal(b, t)) {
                            continue;
                        }
                        for (int v = 0; v < vocab; v++) {
                            float x = logits.get(b, t, v);
                            if (!Float.isFinite(x)) {
                                findings.fail(PatchInvariantsTest.describe(split, i), (side == step.original()
                                        ? "original" : "patched") + " logits row " + b + " column " + t + " ("
                                        + step.where().describe(b, t) + ") vocab " + v + " is " + x);
                                return;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Without a pinned value that differs from the original, the other checks could hold vacuously. */
    private static void patchChangedSomething(PatchedLayer layer, PairedStep whole, Findings findings) {
        SiteTensor original = site(whole, layer, false);
        SiteTensor patched = site(whole, layer, true);
        for (int b = 0; b < original.batch(); b++) {
            for (int t = 0; t < original.seq(); t++) {
                if (whole.where().isOverridden(b, t, layer.capturePosition())) {
                    for (int n : layer.neurons()) {
                        if (original.get(b, t, n) != patched.get(b, t, n)) {
                            return;
                        }
                    }
                }
            }
        }
        findings.fail("one call", "the patched site equals the original everywhere: the patch did nothing");
    }

    /** Padded slots keep every neuron's original value, whatever position id Hugging Face gave them. */
    private static void paddingUntouched(PatchedLayer layer, PaddedBatch batch, List<PairedStep> run,
                                         List<StepInputs> split, Findings findings) {
        int column = 0;
        for (int i = 0; i < run.size(); i++) {
            PairedStep step = run.get(i);
            SiteTensor original = site(step, layer, false);
            SiteTensor patched = site(step, layer, true);
            for (int b = 0; b < batch.rows(); b++) {
                for (int t = 0; t < original.seq(); t++) {
                    if (column + t >= batch.padding(b)) {
                        continue;
                    }
                    for (int n : layer.neurons()) {
                        if (Float.floatToIntBits(original.get(b, t, n)) != Float.floatToIntBits(patched.get(b, t, n))) {
                            findings.fail(PatchInvariantsTest.describe(split, i), layer.patchedTensor() + " row " + b
                                    + " column " + t + " (padding, position id " + step.where().position(b, t)
                                    + ") neuron " + n + ": original " + original.get(b, t, n) + ", patched "
                                    + patched.get(b, t, n) + ": a padded slot was pinned");
                        }
                    }
                }
            }
            column += step.inputs().length();
        }
    }

    /**
     * Per row: the state is zero until the call holding the row's token at the capture position,
     * is that token's original site value from then on (its own row's, never a padded slot's), and
     * never changes afterwards. With a one-token prompt this is the first decode step.
     */
    private static void stateCapturedOnceAndKept(PatchedLayer layer, PaddedBatch batch, List<PairedStep> run,
                                                 List<StepInputs> split, Findings findings) {
        int c = layer.capturePosition();
        int column = 0;
        float[][] captured = new float[batch.rows()][];
        for (int i = 0; i < run.size(); i++) {
            PairedStep step = run.get(i);
            float[][] state = step.patched().output(layer.stateOutput()).rows();
            SiteTensor original = site(step, layer, false);
            String call = PatchInvariantsTest.describe(split, i);
            for (int b = 0; b < batch.rows(); b++) {
                int captureColumn = batch.padding(b) + c - column;
                if (captureColumn >= 0 && captureColumn < step.inputs().length()) {
                    captured[b] = new float[layer.neurons().size()];
                    for (int k = 0; k < captured[b].length; k++) {
                        captured[b][k] = original.get(b, captureColumn, layer.neurons().get(k));
                    }
                }
                float[] expected = captured[b] != null ? captured[b] : new float[layer.neurons().size()];
                for (int k = 0; k < expected.length; k++) {
                    if (!Tolerance.EXACT.accepts(expected[k], state[b][k])) {
                        findings.fail(call, layer.stateOutput() + " row " + b + " neuron " + layer.neurons().get(k)
                                + ": expected " + expected[k] + (captured[b] == null ? " (nothing captured yet)"
                                : " (the original site at the row's position " + c + ")") + ", got " + state[b][k]);
                    }
                }
            }
            column += step.inputs().length();
        }
    }

    private static SiteTensor site(PairedStep step, PatchedLayer layer, boolean patched) {
        HostTensor t = patched ? step.patched().output(layer.patchedTensor())
                : step.original().output(layer.siteTensor());
        return SiteTensor.of(t, step.inputs().batch(), step.inputs().length());
    }
}
