package dev.sinkfix.cli;

import dev.sinkfix.cli.inspect.InspectReport;
import dev.sinkfix.cli.inspect.InspectText;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.match.NotADecoderException;
import dev.sinkfix.surgery.match.RewrittenSites;
import java.io.IOException;
import java.nio.file.Path;
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
 * {@code inspect MODEL [--json]}: what the matcher finds in a model. Reads the graph only; the
 * weights are referenced, never read. A graph that is not a Llama/Mistral decoder is refused
 * (exit 2) with the part that was not found.
 */
@Command(name = "inspect",
        description = "Show what onnx-sinkfix sees in a model: family and exporter, sizes, per-layer MLP sites, "
                + "attention and residual tensors, KV cache, how positions are known, and any sink patch applied.")
public final class InspectCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's .onnx file (external data beside it).")
    Path model;

    @Option(names = "--json", description = "Print one JSON document (schema " + InspectReport.SCHEMA + ") instead of text.")
    boolean json;

    @Option(names = "--explain", description = "Also print what the matcher checked: the residual stream, each "
            + "layer's MLP and, for every candidate that failed, the check that failed and why.")
    boolean explain;

    @Override
    public Integer call() throws IOException {
        // Inspect reads the graph alone, so a graph shared without its weights is fine: say so and go on.
        ModelLoader.Loaded read = ModelLoader.loadAllowingMissingData(model, true);
        Model loaded = read.model();
        for (String location : read.missingData()) {
            spec.commandLine().getErr().printf("onnx-sinkfix: warning: external data file '%s' is absent from %s: "
                    + "a graph-only model (inspect reads the graph; running it needs that file)%n", location,
                    loaded.baseDir());
            spec.commandLine().getErr().flush();
        }
        Decoder decoder;
        MergedDecoder merged;
        try {
            merged = MergedDecoder.find(loaded);
            decoder = merged != null ? merged.withPast() : DecoderMatcher.match(loaded);
        } catch (NotADecoderException e) {
            if (explain) {
                e.notes().forEach(note -> spec.commandLine().getOut().println(note));
                spec.commandLine().getOut().flush();
            }
            throw e;
        }
        InspectReport report = (merged != null ? InspectReport.ofMerged(loaded, merged) : InspectReport.of(loaded, decoder))
                .withMissingData(read.missingData());
        if (explain) {
            report = report.withExplanation(decoder.notes());
        }
        List<RewrittenSites.Rewrite> rewritten = merged != null ? List.of() : RewrittenSites.of(loaded, decoder);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode doc = Json.MAPPER.valueToTree(report);
            doc.set("rewritten_sites", Json.MAPPER.valueToTree(rewritten.stream().map(r -> Map.of("layer", r.layer(),
                    "site", r.site().cliName(), "site_tensor", r.original(), "read_instead", r.now())).toList()));
            spec.commandLine().getOut().println(Json.write(doc));
            spec.commandLine().getOut().flush();
        } else {
            InspectText.print(report, spec.commandLine().getOut());
            rewritten.forEach(r -> spec.commandLine().getOut().println("rewritten    " + r.describe()));
            spec.commandLine().getOut().flush();
        }
        return ExitCodes.OK;
    }
}
