package dev.sinkfix.cli;

import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.io.SaveResult;
import dev.sinkfix.surgery.ir.Model;
import java.io.IOException;
import java.io.PrintWriter;
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

    @Option(names = "--copy-data", description = "Give an output in another folder data files of its own (a "
            + "copy-on-write clone where the file system has them, else a copy) instead of hard links to the input's.")
    boolean copyData;

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
        return ModelSaver.create().overwrite(force).copyData(copyData).progress(TerminalProgress.forThisProcess())
                .save(model, target);
    }

    /** Where the output's weights are, saying plainly when they are the input's own file. */
    static void describe(PrintWriter out, SaveResult saved) {
        saved.reused().forEach(p -> out.printf("  weights: shares %s with the input (the same file)%n", p.getFileName()));
        saved.cloned().forEach(p -> out.printf("  weights: copy-on-write clone %s%n", p));
        saved.linked().forEach(p -> out.printf("  weights: hard link %s: the same file as the input's data, so "
                + "writing either in place changes both (--copy-data for a file of its own)%n", p));
        saved.copied().forEach(p -> out.printf("  weights: copied to %s%n", p));
        saved.written().forEach(p -> out.printf("  weights: written to %s%n", p));
    }
}
