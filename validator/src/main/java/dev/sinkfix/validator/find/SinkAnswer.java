package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;

/**
 * The sink that was found and the commands that patch it: {@code command} with the paper's replay
 * patch, {@code clampCommand} with the stateless clamp (ranges calibrated at patch time).
 * {@code climbStopped} says whether the proposed patch stops the repeat climb (null: the
 * original does not climb within the run, so there was nothing to stop).
 */
public record SinkAnswer(int layer, MlpSite site, List<Integer> neurons, String command, String clampCommand,
                         double bosNormAllZeroed, Boolean climbStopped) {

    public SinkAnswer {
        neurons = List.copyOf(neurons);
    }
}
