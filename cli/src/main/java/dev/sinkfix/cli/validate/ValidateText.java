package dev.sinkfix.cli.validate;

import dev.sinkfix.validator.PatchedLayer;
import dev.sinkfix.validator.validate.CheckResult;
import dev.sinkfix.validator.validate.Effects;
import dev.sinkfix.validator.validate.Prompt;
import dev.sinkfix.validator.validate.ValidationReport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.stream.Collectors;

/** The report as a table: one line per check (number, name, PASS/FAIL/N/A, figure, tolerance), then what the patch does. */
public final class ValidateText {
    private ValidateText() {
    }

    public static void print(PrintWriter out, ValidationReport r) {
        out.printf("validate %s%n    against %s (%s)%n", r.patched(), r.original(), r.device());
        for (PatchedLayer l : r.layers()) {
            out.printf("patch (%s): layer %d, %s site, neurons %s, capture position %d%n", r.patchSource(), l.layer(),
                    l.site().cliName(), l.neurons(), l.capturePosition());
        }
        out.printf("BoS %d (from %s)%n", r.bos(), r.bosSource());
        if (r.quantization() != null) {
            out.printf("dynamically quantized: %s%n", r.quantization().describe());
        }
        out.printf("prompts: %s%n", r.prompts().stream().map(p -> p.name() + " " + p.shape())
                .collect(Collectors.joining(", ")));
        out.println();
        out.printf("%-3s %-66s %-5s %-10s %s%n", "#", "check", "", "figure", "tolerance (figure: largest |difference|)");
        for (CheckResult c : r.checks()) {
            out.printf("%-3d %-66s %-5s %-10s %s%n", c.id(), c.name(), c.status().label(), figure(c.figure()),
                    c.tolerance());
        }
        for (CheckResult c : r.checks()) {
            if (c.status() != CheckResult.Status.PASSED && !c.detail().isEmpty()) {
                out.printf("%ncheck %d %s: %s%n", c.id(), c.status().label(), c.detail());
            }
        }
        out.println();
        Effects e = r.effects();
        out.printf("greedy next-token agreement, original vs patched: %d of %d tokens (%s); after the capture "
                + "position %d of %d%n", e.agree(), e.positions(), percent(e.agree(), e.positions()),
                e.agreeAfterCapture(), e.positionsAfterCapture());
        if (e.norms() != null) {
            Effects.Norms n = e.norms();
            out.printf("residual norms after layer %d, BoS + token %d x%d: BoS %s, typical %s; repeated tokens "
                    + "(median) %s -> %s patched, last %s -> %s%n", n.layer(), n.token(), n.repeats(), num(n.bos()),
                    num(n.typical()), num(n.runOriginal()), num(n.runPatched()), num(n.lastOriginal()),
                    num(n.lastPatched()));
        } else if (e.normsUnavailable() != null) {
            out.printf("residual norms: %s%n", e.normsUnavailable());
        }
        ValidationReport.Timings t = r.timings();
        out.printf("time: %.2f s (sessions %.2f, runs %.2f, comparisons %.2f, repeat task %.2f)%n", t.total(),
                t.sessions(), t.runs(), t.comparisons(), t.probe());
        long failed = r.checks().stream().filter(CheckResult::failed).count();
        long na = r.checks().stream().filter(c -> c.status() == CheckResult.Status.NOT_APPLICABLE).count();
        out.printf("result: %s%s%n", failed == 0 ? "PASSED" : "FAILED (" + failed + " of " + r.checks().size()
                + " checks)", na == 0 ? "" : "; " + na + " not applicable");
        out.flush();
    }

    static String figure(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    /** How the report names a prompt in JSON. */
    static String promptSource(Prompt p) {
        return p.user() ? "user" : "generated";
    }
}
