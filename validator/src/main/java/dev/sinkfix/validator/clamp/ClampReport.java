package dev.sinkfix.validator.clamp;

import dev.sinkfix.surgery.rewrite.NeuronRange;
import java.util.List;

/**
 * What {@code validate} found on a clamp-mode model.
 *
 * @param clampedValues  chosen-neuron values after the capture position that the clamp changed
 * @param clampSlots     chosen-neuron values after the capture position (real tokens) seen
 * @param greedyAgree    positions whose greedy token is the original's
 * @param greedyCompared positions compared
 */
public record ClampReport(String original, String patched, String device, List<Layer> layers, List<String> prompts,
                          List<ClampCheck> checks, long clampedValues, long clampSlots, long greedyAgree,
                          long greedyCompared) {

    /** A clamped layer as recorded in the model. */
    public record Layer(int layer, String site, List<Integer> neurons, int capturePosition, List<NeuronRange> ranges,
                        String source) {
    }

    public boolean passed() {
        return checks.stream().allMatch(ClampCheck::passed);
    }
}
