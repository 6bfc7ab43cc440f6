package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.runtime.HostTensor;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The values fed to {@link SiteIntervention}'s inputs: the identity, zeroing at BoS, pinning after the capture. */
final class Interventions {
    private final DataType dtype;
    private final int width;
    private final List<Integer> layers;

    Interventions(DataType dtype, int width, List<Integer> layers) {
        this.dtype = dtype;
        this.width = width;
        this.layers = List.copyOf(layers);
    }

    /** Ones and zeros on every layer: the model as it is. */
    Map<String, HostTensor> identity() {
        Map<String, HostTensor> feeds = new HashMap<>();
        float[] ones = new float[width];
        Arrays.fill(ones, 1f);
        for (int l : layers) {
            feeds.put(SiteIntervention.KEEP + l, new HostTensor(dtype, new long[] {1, width}, ones));
            feeds.put(SiteIntervention.FILL + l, HostTensor.zeros(dtype, 1, width));
        }
        return feeds;
    }

    /** {@code neurons} of {@code layer} zeroed at every position of a BoS-alone call. */
    Map<String, HostTensor> zeroed(int layer, Collection<Integer> neurons) {
        Map<String, HostTensor> feeds = identity();
        float[] keep = new float[width];
        Arrays.fill(keep, 1f);
        for (int k : neurons) {
            keep[k] = 0f;
        }
        feeds.put(SiteIntervention.KEEP + layer, new HostTensor(dtype, new long[] {1, width}, keep));
        return feeds;
    }

    /**
     * The replay patch on one call of {@code positions} tokens: {@code neurons} of {@code layer}
     * set to {@code captured} (their values at position 1) at every position after 1.
     */
    Map<String, HostTensor> pinned(int layer, Collection<Integer> neurons, float[] captured, int positions) {
        Map<String, HostTensor> feeds = identity();
        float[] keep = new float[positions * width];
        float[] fill = new float[positions * width];
        Arrays.fill(keep, 1f);
        for (int t = 2; t < positions; t++) {
            for (int k : neurons) {
                keep[t * width + k] = 0f;
                fill[t * width + k] = captured[k];
            }
        }
        feeds.put(SiteIntervention.KEEP + layer, new HostTensor(dtype, new long[] {positions, width}, keep));
        feeds.put(SiteIntervention.FILL + layer, new HostTensor(dtype, new long[] {positions, width}, fill));
        return feeds;
    }
}
