package dev.sinkfix.surgery.rewrite;

import java.util.List;

/**
 * One layer to clamp: after {@code sink.capturePosition()}, each of {@code sink.neurons()} is kept
 * inside its range (same order). {@code source} says where the ranges came from, for the record.
 */
public record ClampSpec(SinkSpec sink, List<NeuronRange> ranges, String source) {
    public ClampSpec {
        ranges = List.copyOf(ranges);
    }
}
