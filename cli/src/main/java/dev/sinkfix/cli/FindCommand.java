package dev.sinkfix.cli;

import dev.sinkfix.cli.find.FindJson;
import dev.sinkfix.cli.find.FindText;
import dev.sinkfix.cli.find.StepProgress;
import dev.sinkfix.cli.probe.ProbePlot;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.text.BosChoice;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.validator.find.FindReport;
import dev.sinkfix.validator.find.FindSettings;
import dev.sinkfix.validator.find.SinkFinder;
import dev.sinkfix.validator.validate.Prompt;
import dev.sinkfix.validator.validate.Prompts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code find MODEL}: whether the model has an attention sink, its layer and neurons, the
 * evidence, and the {@code patch} command that fixes it. Exit 0 for a sink, 1 for none.
 */
@Command(name = "find",
        description = {"Find the attention sink of a model with the authors' method: run BoS alone, varied text and "
                + "BoS followed by one token repeated (taps added in a scratch copy; the files are not changed); the "
                + "sink layer is the first early layer whose BoS MLP output stands out (mean + 2 sigma of the other "
                + "early layers) and is extreme against its typical value; its neurons are scored by |activation| x "
                + "down_proj row norm at BoS and at the end of long repeat runs, and kept when zeroing them at BoS "
                + "brings the BoS norm back to ordinary and pinning them stops the repeat climb. Prints the evidence "
                + "and the patch command. Exit 0: a sink; 1: none (with the figures that say why)."})
public final class FindCommand implements Callable<Integer> {
    private static final Pattern RANGE = Pattern.compile("(\\d+)(?:-(\\d+))?");

    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx); it is not changed.")
    Path model;

    @Option(names = "--layers", paramLabel = "FIRST-LAST", defaultValue = "0-8",
            description = "The early layers to look for the sink layer in (default ${DEFAULT-VALUE}, clipped to the model).")
    String layers;

    @Option(names = "--site", paramLabel = "SITE", defaultValue = "up",
            description = "The MLP activation the neurons are read and patched at: up (default), gate or act.")
    String site;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Varied text for the typical values, one prompt per line: text (through tokenizer.json "
                    + "beside MODEL) or comma-separated ids; BoS is put in front where a prompt lacks it. "
                    + "Default: 4 seeded random prompts of 64 tokens.")
    Path prompts;

    @Option(names = "--bos", paramLabel = "ID",
            description = "The BoS token id (default: from the tokenizer files beside MODEL, as run takes it; else 1).")
    Long bos;

    private long bosId;

    @Option(names = "--tokens", split = ",", paramLabel = "ID",
            description = "Tokens to repeat after BoS (default: three ids spread over the vocabulary).")
    List<Long> tokens;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "1000",
            description = "Length of each repeat run (default ${DEFAULT-VALUE}; halved until the model accepts it). "
                    + "The poster's models break between 450 and 4000 repeats.")
    int repeats;

    @Option(names = "--json", description = "Print one JSON document (schema onnx-sinkfix/find/1) instead of text.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "Write the poster's figure for the sink layer: log norm along the first repeat run, "
                    + "original and with the proposed patch.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Matcher m = RANGE.matcher(layers.trim());
        if (!m.matches()) {
            throw new BadInputException("--layers '" + layers + "' is not a layer range; expected FIRST-LAST like 0-8, or one layer");
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (repeats < 8) {
            throw new BadInputException("--repeats " + repeats + " is too short a run; expected 8 or more");
        }
        ModelLoader.requireRunnable(model);
        bosId = BosChoice.resolve(model, bos, w -> err.println("onnx-sinkfix: warning: " + w)).id();
        FindSettings settings = FindSettings.defaults().withLayers(first, last).withSite(Choices.site(site)).withBos(bosId)
                .withRepeats(tokens == null ? List.of() : tokens, repeats);
        if (prompts != null) {
            settings = settings.withPrompts(readPrompts());
        }
        SessionConfig config = SessionConfig.defaults().withDevice(device.device());
        FindReport report;
        try (StepProgress progress = StepProgress.forThisProcess()) {
            report = SinkFinder.find(model, settings, config, VersionProvider.toolVersion(),
                    w -> err.println("onnx-sinkfix: warning: " + w), progress);
        }
        if (json) {
            out.println(Json.write(FindJson.document(report)));
        } else {
            FindText.print(out, report);
        }
        if (plot != null) {
            writePlot(report, out, err);
        }
        out.flush();
        return report.found() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private List<long[]> readPrompts() throws java.io.IOException {
        List<long[]> ids = new ArrayList<>();
        for (Prompt p : Prompts.read(prompts, model, -1)) {
            long[] row = p.batch().tokens(0);
            if (row.length == 0 || row[0] != bosId) {
                long[] withBos = new long[row.length + 1];
                withBos[0] = bosId;
                System.arraycopy(row, 0, withBos, 1, row.length);
                row = withBos;
            }
            ids.add(row);
        }
        return ids;
    }

    private void writePlot(FindReport report, PrintWriter out, PrintWriter err) throws java.io.IOException {
        if (report.plotOriginal() == null) {
            err.println("onnx-sinkfix: warning: no plot written: no sink, so no repeat run was made");
            return;
        }
        String svg = ProbePlot.svg(String.format(Locale.ROOT, "find: layer %d, token %d, neurons %s",
                report.sink().layer(), report.repeats().get(0).token(), report.sink().neurons()),
                report.plotOriginal(), report.plotPatched());
        ReportFiles.write(plot, svg);
        if (!json) {
            out.printf("%nplot: %s%n", plot);
        }
    }
}
