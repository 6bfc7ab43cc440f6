package dev.sinkfix.cli.inspect;

import java.io.PrintWriter;
import java.util.Locale;

/** The line {@code inspect} adds under a patch: its mode, and for clamp the range of each neuron. */
final class ClampText {
    private ClampText() {
    }

    static void print(PrintWriter out, InspectReport.Patch p) {
        if (p.ranges() == null) {
            out.printf("               mode %s (state past_sink_state.%d -> present_sink_state.%d)%n", p.mode(),
                    p.layer(), p.layer());
            return;
        }
        StringBuilder line = new StringBuilder("               mode clamp (stateless), ranges");
        for (ClampRange r : p.ranges()) {
            line.append(String.format(Locale.ROOT, " %d=[%s, %s]", r.neuron(), r.lo(), r.hi()));
        }
        out.println(line);
    }
}
