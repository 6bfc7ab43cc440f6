package dev.sinkfix.validator;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.surgery.match.PositionSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a patched model as a generation loop does, threading its KV cache and sink state, and
 * after each call runs the original model at the same inputs: the same tokens, mask, positions
 * and the same past KV cache (the patched one's), without the sink state it does not have. At
 * the same inputs the patched layer's site depends only on unpatched layers, so the two sites
 * can be compared value by value.
 */
public final class PairedStepper {
    private final ModelSession original;
    private final Stepper patched;
    private final PositionSource positions;
    private final boolean hasMask;

    /**
     * One call of both models.
     *
     * @param where    positions and padding of the call's tokens, as the patched graph reads them
     * @param patched  the patched model's call, fed its own past
     * @param original the original model's call at the same inputs
     */
    public record PairedStep(StepInputs inputs, TokenPositions where, Stepper.Step patched,
                             Stepper.Step original) {
    }

    /**
     * @param positions where the patched graph reads positions from (the matcher's
     *                  {@code Decoder.positions()})
     */
    public PairedStepper(ModelSession original, ModelSession patched, PositionSource positions, int batch) {
        this.original = original;
        this.patched = new Stepper(patched, batch);
        this.positions = positions;
        this.hasMask = patched.inputs().stream().anyMatch(i -> i.name().equals(Stepper.ATTENTION_MASK));
    }

    public PairedStep step(StepInputs call) throws OrtException {
        Stepper.Step p = patched.step(call);
        Stepper.Step o = Stepper.run(original, call, p.pastFed());
        return new PairedStep(call, TokenPositions.of(positions, call, hasMask), p, o);
    }

    /** All {@code calls} in order, from an empty cache and a zero state. */
    public static List<PairedStep> run(ModelSession original, ModelSession patched, PositionSource positions,
                                       List<StepInputs> calls) throws OrtException {
        PairedStepper stepper = new PairedStepper(original, patched, positions, calls.get(0).batch());
        List<PairedStep> steps = new ArrayList<>();
        for (StepInputs call : calls) {
            steps.add(stepper.step(call));
        }
        return steps;
    }
}
