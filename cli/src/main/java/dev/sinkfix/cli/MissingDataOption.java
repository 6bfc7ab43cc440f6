package dev.sinkfix.cli;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.SaveResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * {@code --allow-missing-data}, shared by {@code patch} and {@code tap}: edit a graph shared without
 * its weights. Surgery never reads the weights, so the graph can be rewritten; the output names
 * the same data file, and says so, so that it runs once the weights sit beside it.
 */
public final class MissingDataOption {
    @Option(names = "--allow-missing-data",
            description = "Edit a graph-only model (its external data file absent): the output refers to the same "
                    + "data file name, to be put beside it before running. Hostile data references are refused anyway.")
    boolean allowMissingData;

    ModelLoader.Loaded load(Path model) throws IOException {
        return ModelLoader.loadAllowingMissingData(model, allowMissingData);
    }

    /** One line per absent data file: what the output refers to and whether its folder has it. */
    static void report(PrintWriter out, ModelLoader.Loaded loaded, SaveResult saved) {
        Path dir = saved.model().getParent();
        for (String location : loaded.missingData()) {
            boolean there = Files.exists(dir.resolve(location));
            out.printf("  weights: the input is graph-only; the output refers to '%s' as the input did, which %s%n",
                    location, there ? dir + " has (not checked against the graph)"
                            : "is absent: put it beside " + saved.model().getFileName() + " before running it");
        }
        List<String> names = loaded.model().graph().initializers().stream()
                .filter(v -> v.initializer().isExternal()).map(v -> v.initializer().external().location())
                .distinct().toList();
        Stream.concat(saved.linked().stream(), saved.copied().stream())
                .filter(p -> !names.contains(dir.relativize(p).toString()))
                .forEach(p -> out.printf("  weights: %s is the output's own name for its data: the input's data file is "
                        + "a link out of this folder (a Hugging Face hub cache), which is left as it is%n", p.getFileName()));
    }
}
