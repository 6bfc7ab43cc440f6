package dev.sinkfix.validator.probe;

import java.util.List;

/** One model's answer to the repeat task, layer by layer, and where it ran. */
public record ModelProbe(String model, String provider, List<LayerNorms> layers) {

    public LayerNorms layer(int index) {
        return layers.stream().filter(l -> l.layer() == index).findFirst().orElseThrow();
    }
}
