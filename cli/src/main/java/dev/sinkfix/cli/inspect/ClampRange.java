package dev.sinkfix.cli.inspect;

import dev.sinkfix.surgery.rewrite.ClampRecord;
import java.util.ArrayList;
import java.util.List;

/** One clamped neuron and its range, as {@code inspect} reports a clamp-mode patch. */
public record ClampRange(int neuron, float lo, float hi) {
    static List<ClampRange> of(List<Integer> neurons, ClampRecord record) {
        List<ClampRange> ranges = new ArrayList<>();
        for (int k = 0; k < Math.min(neurons.size(), record.ranges().size()); k++) {
            ranges.add(new ClampRange(neurons.get(k), record.ranges().get(k).lo(), record.ranges().get(k).hi()));
        }
        return ranges;
    }
}
