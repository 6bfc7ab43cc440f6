package dev.sinkfix.cli;

import dev.sinkfix.samples.Samples;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the README's first command. Generates a built-in sample and runs the main job
 * on it; today that is {@code inspect}, later issues add patch, validate and probe.
 */
@Command(name = "demo",
        description = "Generate a built-in sample model and show what onnx-sinkfix finds in it.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--sample", paramLabel = "NAME", defaultValue = "llama-genai-fp16",
            description = "Which sample (default: ${DEFAULT-VALUE}); see `sample --help`.")
    String sample;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "onnx-sinkfix-demo",
            description = "Folder for the sample (default: ./${DEFAULT-VALUE}); replaced sample files only.")
    Path output;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        Path model = Samples.write(sample, output.resolve(sample));
        out.printf("Wrote the sample '%s' to %s%n%n$ onnx-sinkfix inspect %s%n", sample, model, model);
        InspectCommand inspect = new InspectCommand();
        inspect.spec = spec;
        inspect.model = model;
        return inspect.call();
    }
}
