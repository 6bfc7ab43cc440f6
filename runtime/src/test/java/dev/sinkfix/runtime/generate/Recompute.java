package dev.sinkfix.runtime.generate;

import java.util.Arrays;

/**
 * The reference a cached generation must equal: greedy decoding that runs the whole sequence
 * again with an empty past at every step ({@link Generator#fullPass}), reusing nothing.
 */
final class Recompute {
    private Recompute() {}

    static long[] greedy(Generator generator, long[] prompt, int newTokens) throws Exception {
        long[] sequence = prompt.clone();
        for (int i = 0; i < newTokens; i++) {
            long next = generator.fullPass(sequence).nextToken();
            sequence = Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = next;
        }
        return Arrays.copyOfRange(sequence, prompt.length, sequence.length);
    }
}
