package dev.sinkfix.runtime.generate;

import dev.sinkfix.runtime.Device;
import java.util.List;

/**
 * One pass over a whole prompt, for a model that cannot generate token by token.
 *
 * @param nextToken the highest-scoring token after the prompt
 * @param scores    the scores of the prompt's last position
 * @param nanos     how long the pass took
 * @param guesses   how inputs the generator does not know were filled, one line each
 * @param provider  where it ran
 */
public record FullPass(long nextToken, float[] scores, long nanos, List<String> guesses, Device provider) {
    public FullPass {
        scores = scores.clone();
        guesses = List.copyOf(guesses);
    }

    @Override
    public float[] scores() {
        return scores.clone();
    }
}
