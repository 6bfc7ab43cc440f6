package dev.sinkfix.cli.probe;

import dev.sinkfix.validator.probe.LayerNorms;
import dev.sinkfix.validator.probe.ModelProbe;
import java.io.PrintWriter;
import java.util.List;

/** The probe's readable table: one line per layer, original and (when given) patched side by side. */
public final class ProbeTable {
    private ProbeTable() {
    }

    public static void print(PrintWriter out, long token, List<Integer> repeats, ModelProbe original, ModelProbe patched) {
        out.printf("repeat task: BoS + token %d x %d; half-BoS threshold = the poster's \"repeats\" column%n",
                token, repeats.stream().mapToInt(Integer::intValue).max().orElse(0));
        print(out, "original", original, repeats);
        if (patched != null) {
            print(out, "patched", patched, repeats);
        }
        out.flush();
    }

    private static void print(PrintWriter out, String label, ModelProbe probe, List<Integer> repeats) {
        out.printf("%n%s: %s (%s)%n", label, probe.model(), probe.provider());
        StringBuilder head = new StringBuilder(String.format("%-6s %10s %10s", "layer", "BoS norm", "typical"));
        for (int n : repeats) {
            head.append(String.format(" %10s", "repeat " + n));
        }
        head.append(String.format(" %10s %10s  %s", "run median", "run last", "repeats reaching half BoS"));
        out.println(head);
        for (LayerNorms l : probe.layers()) {
            StringBuilder row = new StringBuilder(String.format("%-6d %10.3g %10.3g", l.layer(), l.bos(), l.typical()));
            for (int n : repeats) {
                row.append(String.format(" %10.3g", l.atRepeat(n)));
            }
            row.append(String.format(" %10.3g %10.3g  %s", l.runMedian(), l.runLast(), verdict(l)));
            out.println(row);
        }
    }

    static String verdict(LayerNorms l) {
        if (!l.hasSink()) {
            return String.format("no sink at BoS (%.1fx typical)", l.bos() / l.typical());
        }
        return l.threshold() != null ? Integer.toString(l.threshold()) : "never within " + l.run().length;
    }
}
