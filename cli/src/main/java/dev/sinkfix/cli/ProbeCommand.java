package dev.sinkfix.cli;

import dev.sinkfix.cli.probe.ProbePlot;
import dev.sinkfix.cli.probe.ProbeTable;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.text.BosChoice;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.validator.probe.LayerNorms;
import dev.sinkfix.validator.probe.ModelProbe;
import dev.sinkfix.validator.probe.ProbeSettings;
import dev.sinkfix.validator.probe.RepeatProbe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code probe MODEL [--patched P]}: the repeat task, with residual-norm taps added on the fly,
 * reported per layer, and the poster's threshold: how many repeats it takes for the repeated
 * token to reach half the BoS norm.
 */
@Command(name = "probe",
        description = {"Run the repeat task (BoS followed by one token repeated N times) and varied text, with "
                + "residual-norm taps added on the fly (the files are not changed), and report per layer the BoS "
                + "norm, the typical norm, the norm along the run, and the repeat count at which repeats reach "
                + "half the BoS norm. With --patched, the same for the patched model side by side."})
public final class ProbeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The original model.")
    Path model;

    @Option(names = "--patched", paramLabel = "PATCHED", description = "A patched model to compare with.")
    Path patched;

    @Option(names = "--token", paramLabel = "ID", defaultValue = "100", description = "Token to repeat (default ${DEFAULT-VALUE}).")
    long token;

    @Option(names = "--bos", paramLabel = "ID", description = "The BoS token id (default: from the model's "
            + "folder, tokenizer.json then genai_config.json / config.json, else 1).")
    Long bos;

    @Option(names = "--repeats", split = ",", paramLabel = "N", defaultValue = "10,100,1000",
            description = "Repeat counts to report (default ${DEFAULT-VALUE}); one run of the largest gives them all.")
    List<Integer> repeats;

    @Option(names = "--layer", paramLabel = "L", description = "Only this layer (default: all).")
    Integer layer;

    @Option(names = "--json", description = "Print a JSON document instead of the table.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "Write a plot like the poster's: log norm along the run, original and patched, "
                    + "for --layer or the layer where BoS stands out most.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A model that cannot run (graph-only, a hostile data link) is refused before anything else is said.
        ModelLoader.requireRunnable(model);
        if (patched != null) {
            ModelLoader.requireRunnable(patched);
        }
        BosChoice start = BosChoice.resolve(model, bos, w -> err.println("onnx-sinkfix: warning: " + w));
        ProbeSettings settings = new ProbeSettings(start.id(), token, repeats, layer, 4, 64, 20261125L, 5.0);
        SessionConfig config = SessionConfig.defaults().withDevice(device.device());
        ModelProbe original = RepeatProbe.probe(model, settings, config, w -> err.println("onnx-sinkfix: warning: " + w));
        ModelProbe fixed = patched == null ? null
                : RepeatProbe.probe(patched, settings, config, w -> { });
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schema", "onnx-sinkfix/probe/2");
            doc.put("token", token);
            doc.put("bos", start.id());
            doc.put("bos_source", start.source());
            doc.put("repeats", repeats);
            doc.put("original", original);
            if (fixed != null) {
                doc.put("patched", fixed);
            }
            out.println(Json.write(doc));
        } else {
            out.printf("BoS %d (from %s)%n", start.id(), start.source());
            ProbeTable.print(out, token, repeats, original, fixed);
        }
        if (plot != null) {
            LayerNorms shown = layer != null ? original.layer(layer) : original.layers().stream()
                    .max(Comparator.comparingDouble(l -> l.bos() / l.typical())).orElseThrow();
            String svg = ProbePlot.svg("repeat task, token " + token + ", layer " + shown.layer(), shown,
                    fixed == null ? null : fixed.layer(shown.layer()));
            ReportFiles.write(plot, svg);
            if (!json) {
                out.printf("%nplot: %s%n", plot);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
