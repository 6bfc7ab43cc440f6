package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which taps to add. {@code layers} null means every layer. {@code sites} maps a site to the
 * neuron ids to expose from it. With nothing chosen, {@link #defaults()} gives the four norms.
 */
public record TapRequest(Set<Integer> layers, boolean norms, boolean attentionToFirst,
                         Map<MlpSite, List<Integer>> sites, boolean residualVectors) {

    public TapRequest {
        layers = layers == null ? null : Set.copyOf(layers);
        sites = Map.copyOf(sites);
    }

    /** The four norm taps on every layer. */
    public static TapRequest defaults() {
        return new TapRequest(null, true, false, Map.of(), false);
    }

    public boolean isEmpty() {
        return !norms && !attentionToFirst && sites.isEmpty() && !residualVectors;
    }

    public boolean covers(int layer) {
        return layers == null || layers.contains(layer);
    }
}
