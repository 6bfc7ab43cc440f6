package dev.sinkfix.validator.probe;

import java.util.List;

/**
 * The repeat task: BoS followed by {@code token} repeated up to the largest of {@code repeats};
 * and varied text: {@code variedPrompts} seeded random prompts of {@code variedLength} tokens
 * after BoS. {@code layer} null probes every layer. A layer counts as having a sink when the
 * BoS norm is at least {@code sinkFactor} times the typical norm.
 */
public record ProbeSettings(long bos, long token, List<Integer> repeats, Integer layer, int variedPrompts,
                            int variedLength, long seed, double sinkFactor) {

    public ProbeSettings {
        repeats = List.copyOf(repeats);
    }

    public int longestRun() {
        return repeats.stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
