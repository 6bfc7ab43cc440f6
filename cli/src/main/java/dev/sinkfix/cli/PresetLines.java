package dev.sinkfix.cli;

import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.Family;
import dev.sinkfix.surgery.rewrite.PresetEvidence;
import java.io.PrintWriter;

/** What {@code patch} says about the model's identity: the facts a preset was checked against, or a family note. */
final class PresetLines {
    private PresetLines() {
    }

    static void print(PrintWriter out, PresetEvidence.Fit fit) {
        out.printf("preset %s: layer %d, neurons %s; %d facts fit, %d not said%n", fit.preset().id(),
                fit.preset().layer(), fit.preset().neurons(), fit.with(PresetEvidence.Verdict.FITS).size(),
                fit.with(PresetEvidence.Verdict.NOT_SAID).size());
        for (PresetEvidence.Fact f : fit.facts()) {
            out.printf("  %-9s %s%n", f.verdict() == PresetEvidence.Verdict.FITS ? "fits" : "not said", f.describe());
        }
    }

    /** A decoder of another family is patched by structure, with neurons the user chose: say so. */
    static void familyNote(PrintWriter out, Decoder decoder) {
        if (decoder.family() == Family.OTHER) {
            out.printf("note: %s; patched by its structure at the layer and neurons given (the presets are for "
                    + "Llama and Mistral; find this model's sink neurons with probe)%n", decoder.familyEvidence());
        }
    }
}
