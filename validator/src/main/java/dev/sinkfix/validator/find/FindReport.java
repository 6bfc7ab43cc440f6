package dev.sinkfix.validator.find;

import dev.sinkfix.validator.probe.LayerNorms;
import java.util.List;

/**
 * What {@code find} decided and every figure it decided on. {@code verdict} is {@link #SINK} or
 * {@link #NONE}; {@code sink} is null for "none". {@code notebookThreshold} is the authors' rule
 * exactly (mean + 2 sigma of the BoS MLP output norms over all early layers, the tested layer
 * included), {@code notebookLayer} the first layer above it (null: none); the decision uses the
 * same rule with the tested layer left out of its own baseline (see FIND.md). {@code plotOriginal}
 * and {@code plotPatched}: the sink layer's norms along the first repeat run (null when not run).
 */
public record FindReport(String model, String provider, String verdict, String reason, List<Integer> window,
                         double sinkFactor, double notebookThreshold, Integer notebookLayer, SinkAnswer sink,
                         List<LayerEvidence> layers, List<CandidateCheck> candidates, Double ordinaryBelow,
                         List<RepeatFigure> repeats, List<PresetCheck> presets, List<String> notes,
                         LayerNorms plotOriginal, LayerNorms plotPatched) {
    public static final String SINK = "sink";
    public static final String NONE = "none";

    public FindReport {
        window = List.copyOf(window);
        layers = List.copyOf(layers);
        candidates = List.copyOf(candidates);
        repeats = List.copyOf(repeats);
        presets = List.copyOf(presets);
        notes = List.copyOf(notes);
    }

    public boolean found() {
        return sink != null;
    }
}
