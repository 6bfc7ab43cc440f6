package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;

/** One layer to patch: pin {@code neurons} of {@code site} to their value at {@code capturePosition}. */
public record SinkSpec(int layer, List<Integer> neurons, MlpSite site, int capturePosition) {
    public SinkSpec {
        neurons = List.copyOf(neurons);
    }
}
