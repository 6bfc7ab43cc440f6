package dev.sinkfix.cli;

import dev.sinkfix.samples.SinkSample;
import dev.sinkfix.samples.Samples;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the README's first command, the whole story on the built-in sample whose sink
 * neurons exist by construction: what the matcher finds, the patch, the patched model held to the
 * patch's invariants ({@code validate}), and the repeat probe of the
 * original against the patched model (with a plot). Each step is the command a user would type.
 */
@Command(name = "demo",
        description = "On a built-in sample with the attention-sink phenomenon: inspect it, patch its sink neurons, "
                + "validate the patch, and probe original vs patched on the repeat task (table and SVG plot).")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "onnx-sinkfix-demo",
            description = "Folder for the sample, the patched model and the plot (default: ./${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = output.resolve(SinkSample.PRESET);
        Path model = Samples.write(SinkSample.PRESET, dir);
        Path patched = dir.resolve("model.sinkfix.onnx");
        String neurons = SinkSample.NEURONS.stream().map(String::valueOf).collect(Collectors.joining(","));
        out.printf("Wrote the sample '%s' to %s: a small Llama whose layer-%d neurons %s are sink neurons by "
                + "construction.%n", SinkSample.PRESET, model, SinkSample.LAYER, neurons);
        List<List<String>> steps = List.of(
                List.of("inspect", model.toString()),
                List.of("patch", model.toString(), "--layer", Integer.toString(SinkSample.LAYER), "--neurons", neurons,
                        "-o", patched.toString(), "--force"),
                List.of("validate", model.toString(), patched.toString(), "--device", device.device().id()),
                List.of("probe", model.toString(), "--patched", patched.toString(), "--repeats", "10,100,300",
                        "--device", device.device().id(), "--plot", dir.resolve("probe.svg").toString()));
        for (List<String> step : steps) {
            out.printf("%n$ onnx-sinkfix %s%n", String.join(" ", step));
            out.flush();
            String[] args = step.toArray(String[]::new);
            CommandLine cli = Main.configure(Main.commandLine(args), out, spec.commandLine().getErr());
            int code = cli.execute(args);
            if (code != ExitCodes.OK) {
                return code;
            }
        }
        return ExitCodes.OK;
    }
}
