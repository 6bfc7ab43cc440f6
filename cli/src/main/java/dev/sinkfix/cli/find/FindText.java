package dev.sinkfix.cli.find;

import dev.sinkfix.validator.find.CandidateCheck;
import dev.sinkfix.validator.find.FindReport;
import dev.sinkfix.validator.find.LayerEvidence;
import dev.sinkfix.validator.find.NeuronEvidence;
import dev.sinkfix.validator.find.PresetCheck;
import dev.sinkfix.validator.find.RepeatFigure;
import java.io.PrintWriter;
import java.util.Locale;

/** The report for a person: verdict first, then the evidence tables that decided it. */
public final class FindText {
    private FindText() {
    }

    public static void print(PrintWriter out, FindReport r) {
        out.printf("model: %s (%s)%n", r.model(), r.provider());
        out.printf("verdict: %s%n", r.verdict());
        out.printf("reason: %s%n", r.reason());
        if (r.sink() != null) {
            out.printf("%nsink: layer %d, site %s, neurons %s%n", r.sink().layer(), r.sink().site().cliName(),
                    r.sink().neurons());
            out.printf("patch (replay, the paper's): %s%n", r.sink().command());
            out.printf("patch (clamp, stateless; ranges calibrated at patch time): %s%n", r.sink().clampCommand());
        }
        out.printf(Locale.ROOT, "%nper layer (BoS alone against the median over varied text; a sink needs both ratios "
                + ">= %.0f and a BoS MLP output above mean+2sd, mean + 2 sigma of the other early layers;%n"
                + "the notebook's own threshold, tested layer included: %.4g%s)%n", r.sinkFactor(), r.notebookThreshold(),
                r.notebookLayer() == null ? ", passed by no layer" : ", first passed by layer " + r.notebookLayer());
        out.printf("%5s %11s %11s %7s %11s %11s %7s %11s %s%n", "layer", "BoS resid", "typical", "ratio", "BoS mlp",
                "typical", "ratio", "mean+2sd", "");
        for (LayerEvidence l : r.layers()) {
            out.printf(Locale.ROOT, "%5d %11.4g %11.4g %7.1f %11.4g %11.4g %7.1f %11.4g %s%n", l.layer(), l.bosResidNorm(),
                    l.typicalResidNorm(), l.residRatio(), l.bosMlpNorm(), l.typicalMlpNorm(), l.mlpRatio(),
                    l.outlierThreshold(), (l.standsOut() ? "stands out" : "") + (l.extreme() ? " extreme" : ""));
        }
        for (LayerEvidence l : r.layers()) {
            if (r.sink() != null && l.layer() != r.sink().layer()) {
                continue;
            }
            out.printf("%nlayer %d, top neurons by |BoS activation| x down_proj row norm%n", l.layer());
            out.printf("%7s %11s %11s %9s %10s %11s %11s%n", "neuron", "BoS", "typical", "ratio", "write", "score",
                    r.sink() == null ? "" : "repeat");
            // Without a sink every layer is shown, its first three neurons enough to see nothing stands out.
            for (NeuronEvidence n : r.sink() == null ? l.neurons().subList(0, Math.min(3, l.neurons().size())) : l.neurons()) {
                out.printf(Locale.ROOT, "%7d %11.4g %11.4g %9.1f %10.4g %11.4g %11s%n", n.neuron(), n.bos(), n.typical(),
                        n.ratio(), n.writeNorm(), n.score(),
                        n.repeat() == null ? "" : String.format(Locale.ROOT, "%.4g", n.repeat()));
            }
        }
        if (!r.candidates().isEmpty()) {
            out.printf(Locale.ROOT, "%ncausal check (BoS residual norm after the layer with the neuron zeroed at BoS; "
                    + "ordinary below %.4g)%n", r.ordinaryBelow());
            for (CandidateCheck c : r.candidates()) {
                out.printf(Locale.ROOT, "%7d %11.4g %-5s %s%n", c.neuron(), c.bosNormZeroedAlone(), c.kept() ? "kept" : "",
                        c.why());
            }
        }
        if (!r.repeats().isEmpty()) {
            out.printf("%nrepeats (this project's definition: the first repeat count whose norm reaches half the BoS norm)%n");
            for (RepeatFigure f : r.repeats()) {
                out.printf("  token %d: original %s, patched %s%n", f.token(), count(f.original(), f.length()),
                        f.patched() == null && f.lastPatched() == null ? "not run" : count(f.patched(), f.length()));
            }
        }
        for (PresetCheck p : r.presets()) {
            out.printf("preset %s: %s%n", p.preset(), p.note());
        }
        for (String note : r.notes()) {
            out.printf("note: %s%n", note);
        }
    }

    private static String count(Integer threshold, int length) {
        return threshold == null ? "never within " + length : threshold + " repeats";
    }
}
