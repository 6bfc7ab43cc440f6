package dev.sinkfix.validator.validate;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.match.PositionSource;
import dev.sinkfix.validator.TokenPositions;
import dev.sinkfix.validator.Tolerance;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic quantization ({@code DynamicQuantizeLinear}, ONNX Runtime's {@code quantize_dynamic}) takes one
 * scale per call over every token, so the logits of a token move a little when other tokens of the
 * call change (the pinned values) or when a prompt is cut into prefill and decode calls. Checks 1 and 2
 * then hold within that rounding, not bit for bit.
 *
 * <p>The tolerance is derived from the original model itself: {@code ownAcrossCalls} is the largest
 * logit difference, at real tokens, between the original run on each prompt in one call and the
 * original run on the same prompt as prefill and decode steps (its own cache threaded): pure
 * quantization rounding, since the original is not patched. The patched model's outputs may differ by
 * {@value #FACTOR} times that (plus the float tolerance): the same rounding, which the pinned values
 * can move once more. The site checks (3 to 6) stay exact: the patched layer reads only unpatched
 * layers, whose quantization is the original's at the same inputs, so a wrong pin is still caught
 * value by value.
 *
 * @param nodes          DynamicQuantizeLinear nodes in the original
 * @param ownAcrossCalls the original's own one-call vs steps difference; NaN when no prompt could be
 *                       run in steps (no KV cache), then the float tolerances stand
 */
public record DynamicQuantization(int nodes, double ownAcrossCalls) {
    public static final double FACTOR = 2;

    /** DynamicQuantizeLinear nodes in {@code model}, subgraphs included. */
    public static int count(Model model) {
        int n = 0;
        for (Node node : model.graph().allNodes()) {
            if (node.isStandard("DynamicQuantizeLinear")) {
                n++;
            }
        }
        return n;
    }

    static DynamicQuantization measure(int nodes, ModelSession original, List<Prompt> prompts, String logits,
                                       PositionSource positions, boolean hasMask) throws OrtException {
        double largest = Double.NaN;
        for (Prompt p : prompts) {
            List<StepInputs> calls = p.steps();
            if (calls.isEmpty()) {
                continue;
            }
            StepInputs whole = p.whole();
            HostTensor one = Stepper.run(original, whole, Stepper.emptyPast(original, whole.batch())).output(logits);
            Stepper stepper = new Stepper(original, whole.batch());
            List<HostTensor> parts = new ArrayList<>();
            for (StepInputs call : calls) {
                parts.add(stepper.step(call).output(logits));
            }
            HostTensor stepped = HostTensor.concat(1, parts);
            TokenPositions where = TokenPositions.of(positions, whole, hasMask);
            int vocab = (int) one.dim(2);
            float[] a = one.values();
            float[] b = stepped.values();
            for (int row = 0; row < where.batch(); row++) {
                for (int t = 0; t < where.length(); t++) {
                    if (!where.isReal(row, t)) {
                        continue;
                    }
                    int base = (row * where.length() + t) * vocab;
                    for (int v = 0; v < vocab; v++) {
                        double d = Math.abs((double) a[base + v] - b[base + v]);
                        largest = Double.isNaN(largest) ? d : Math.max(largest, d);
                    }
                }
            }
        }
        return new DynamicQuantization(nodes, largest);
    }

    /** {@code base} widened by the measured rounding; {@code base} itself when nothing was measured. */
    Tolerance widen(Tolerance base) {
        // Rounded up to 3 significant digits, so the report reads well and never tightens the bound.
        double widened = base.absolute() + FACTOR * ownAcrossCalls;
        double unit = Math.pow(10, Math.floor(Math.log10(widened)) - 2);
        return Double.isNaN(ownAcrossCalls) ? base : new Tolerance(Math.ceil(widened / unit) * unit, base.relative());
    }

    /** One line for the report. */
    public String describe() {
        return nodes + " DynamicQuantizeLinear node(s): one activation scale per call, so checks 1 and 2 allow "
                + FACTOR + " x the original's own one-call vs steps logit difference"
                + (Double.isNaN(ownAcrossCalls) ? " (not measurable: no prompt runs in steps; float tolerances kept)"
                : String.format(" (%.4g)", ownAcrossCalls)) + "; checks 3 to 6 stay exact";
    }
}
