package dev.sinkfix.cli;

import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.io.SaveResult;
import dev.sinkfix.surgery.ir.Model;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command that rewrites a model writes it: shared by {@code patch} and {@code tap}. */
public final class OutputOptions {
    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "Where to write the rewritten model (default beside the input: MODEL.sinkfix.onnx for patch, "
                    + "MODEL.taps.onnx for tap).")
    Path output;

    @Option(names = "--force", description = "Replace an existing output file (never the input or its data).")
    boolean force;

    /** The output path: {@code -o}, or {@code model<suffix>} beside the input. */
    Path target(Path input, String suffix) {
        if (output != null) {
            return output.toAbsolutePath().normalize();
        }
        String name = input.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return input.resolveSibling(stem + suffix);
    }

    SaveResult save(Model model, Path target) throws IOException {
        return ModelSaver.create().overwrite(force).progress(TerminalProgress.forThisProcess()).save(model, target);
    }
}
