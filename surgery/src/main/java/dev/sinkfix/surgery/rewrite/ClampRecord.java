package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.record.SinkfixKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What clamp mode adds to a layer's {@link PatchRecord}: {@code sinkfix.layer.{L}.mode} ({@code clamp};
 * a record without it is replay, the stateful patch), {@code sinkfix.layer.{L}.ranges}
 * ({@code LO:HI} per neuron, in the record's neuron order) and {@code sinkfix.layer.{L}.range_source}.
 * Kept apart from PatchRecord so the replay record stays exactly what it was.
 */
public record ClampRecord(int layer, List<NeuronRange> ranges, String source) {
    public static final String CLAMP = "clamp";
    public static final String REPLAY = "replay";

    public ClampRecord {
        ranges = List.copyOf(ranges);
    }

    /** {@code clamp} or {@code replay} for a recorded layer. */
    public static String mode(Model model, int layer) {
        return CLAMP.equals(model.metadata().get(SinkfixKeys.key(layer, "mode"))) ? CLAMP : REPLAY;
    }

    /** The clamp record of a layer; empty for replay, or where the ranges do not parse. */
    public static Optional<ClampRecord> read(Model model, int layer) {
        if (!CLAMP.equals(mode(model, layer))) {
            return Optional.empty();
        }
        String text = model.metadata().getOrDefault(SinkfixKeys.key(layer, "ranges"), "");
        List<NeuronRange> ranges = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    ranges.add(NeuronRange.parse(part.trim()));
                }
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(new ClampRecord(layer, ranges, model.metadata().getOrDefault(SinkfixKeys.key(layer, "range_source"), "")));
    }

    public void writeTo(Model model) {
        model.metadata().put(SinkfixKeys.key(layer, "mode"), CLAMP);
        model.metadata().put(SinkfixKeys.key(layer, "ranges"), String.join(",", ranges.stream().map(NeuronRange::text).toList()));
        if (source != null && !source.isEmpty()) {
            model.metadata().put(SinkfixKeys.key(layer, "range_source"), source);
        }
    }
}
