package dev.sinkfix.cli;

import dev.sinkfix.cli.validate.ValidateJson;
import dev.sinkfix.cli.validate.ValidateText;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.text.BosChoice;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.validator.clamp.ClampValidation;
import dev.sinkfix.validator.validate.PatchDescription;
import dev.sinkfix.validator.validate.Validation;
import dev.sinkfix.validator.validate.ValidationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code validate ORIGINAL PATCHED}: holds a patched model to the invariants of the patch
 * (PATCH-SEMANTICS.md), with numbers; exit 0 when every check passes, 1 when one fails.
 */
@Command(name = "validate",
        description = {"Check a patched model against its original on generated prompts (random ids, BoS + a "
                + "repeated token, a left-padded batch of two, a one-token prompt) and --prompts: "
                + "(1) outputs up to the capture position unchanged, (2) one prefill = prefill + decode steps with "
                + "the KV cache and sink state threaded, (3) pinned neurons hold the captured value, (4) only the "
                + "pinned neurons of the site differ, (5) the state equals the site at the capture position, "
                + "(6) site and state equal the specification's reference. Also reports greedy-token agreement "
                + "and residual norms of repeated tokens before and after.",
            "The patch is read from the model's sinkfix.* metadata; for a model patched by another tool give "
                + "--layer and --neurons (and --site, --capture-position)."})
public final class ValidateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ORIGINAL", description = "The model before the patch.")
    Path original;

    @Parameters(index = "1", paramLabel = "PATCHED", description = "The patched model.")
    Path patched;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "More prompts, one per line: text (through tokenizer.json beside ORIGINAL) or "
                    + "comma-separated token ids.")
    Path prompts;

    @Option(names = "--json", paramLabel = "REPORT",
            description = "Also write the report as JSON (schema " + ValidateJson.SCHEMA + ") to this file; "
                    + "'-' prints it instead of the table.")
    String json;

    @Option(names = "--layer", paramLabel = "L", description = "The patched layer (instead of the metadata).")
    Integer layer;

    @Option(names = "--neurons", split = ",", paramLabel = "N", description = "Its pinned neurons, in state order.")
    List<Integer> neurons;

    @Option(names = "--site", paramLabel = "SITE", completionCandidates = Choices.SiteNames.class,
            description = "${COMPLETION-CANDIDATES} (default up; with --layer).")
    String site;

    @Option(names = "--capture-position", paramLabel = "P", description = "Capture position (default 1; with --layer).")
    Integer capturePosition;

    @Option(names = "--bos", paramLabel = "ID", description = "BoS id of the generated prompts (default: from "
            + "the original's folder, tokenizer.json then genai_config.json / config.json, else 1).")
    Long bos;

    @Option(names = "--token", paramLabel = "ID", defaultValue = "100", description = "The repeated token (default ${DEFAULT-VALUE}).")
    long token;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "30", description = "How many times it repeats (default ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A model that cannot run (graph-only, a hostile data link) is refused before anything else is said.
        ModelLoader.requireRunnable(original);
        if (ClampValidation.isClamp(ModelLoader.load(patched.toAbsolutePath().normalize()))) {
            return ClampValidate.run(this, out, err);
        }
        BosChoice start = BosChoice.resolve(original, bos, w -> err.println("onnx-sinkfix: warning: " + w));
        Validation.Options options = new Validation.Options(SessionConfig.defaults().withDevice(device.device()),
                override(), prompts, start.id(), token, repeats, true, start.source());
        ValidationReport report = Validation.run(original, patched, options,
                w -> err.println("onnx-sinkfix: warning: " + w));
        if ("-".equals(json)) {
            out.println(Json.write(ValidateJson.document(report)));
        } else {
            ValidateText.print(out, report);
            if (json != null) {
                Path file = Path.of(json).toAbsolutePath();
                ReportFiles.write(file, Json.write(ValidateJson.document(report)));
                out.printf("report: %s%n", file);
            }
        }
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private PatchDescription.Override override() {
        if (layer == null) {
            if (neurons != null || site != null || capturePosition != null) {
                throw new BadInputException("--neurons, --site and --capture-position describe a patch together with "
                        + "--layer; give --layer too, or none of them to read the model's metadata");
            }
            return null;
        }
        if (neurons == null || neurons.isEmpty()) {
            throw new BadInputException("--layer " + layer + " needs --neurons N,N (the pinned neurons in state order)");
        }
        MlpSite s = site == null ? MlpSite.UP : Choices.site(site);
        return new PatchDescription.Override(layer, neurons, s, capturePosition == null ? 1 : capturePosition);
    }
}
