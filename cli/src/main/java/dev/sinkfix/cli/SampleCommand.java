package dev.sinkfix.cli;

import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sample NAME -o DIR}: writes a generated sample model (seeded random weights) into a folder. */
@Command(name = "sample",
        description = "Write a generated sample model into a folder. Names: ${COMPLETION-CANDIDATES}, "
                + "and llama-2-7b-skeleton (a Llama-2-7B-shaped graph whose 13 GB data file is sparse: "
                + "for surgery benchmarks, never run).")
public final class SampleCommand implements Callable<Integer> {
    static final String SKELETON = "llama-2-7b-skeleton";

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Which sample.")
    String name;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "Folder to write model.onnx (and its data and config files) into; created if missing.")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new BadInputException("output " + output + " is a file; expected a folder for the sample");
        }
        Path written;
        if (name.equals(SKELETON)) {
            written = Samples.writeLlama2_7bSkeleton(output);
        } else {
            if (!Samples.sampleNames().contains(name)) {
                throw new BadInputException("unknown sample '" + name + "'; expected one of "
                        + String.join(", ", Samples.sampleNames()) + ", " + SKELETON);
            }
            written = Samples.write(name, output);
        }
        spec.commandLine().getOut().println(written);
        return ExitCodes.OK;
    }
}
