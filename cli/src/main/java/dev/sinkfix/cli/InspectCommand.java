package dev.sinkfix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sinkfix.cli.inspect.InspectReport;
import dev.sinkfix.cli.inspect.InspectText;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
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
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's .onnx file (external data beside it).")
    Path model;

    @Option(names = "--json", description = "Print one JSON document (schema onnx-sinkfix/inspect/1) instead of text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Model loaded = ModelLoader.load(model);
        Decoder decoder = DecoderMatcher.match(loaded);
        InspectReport report = InspectReport.of(loaded, decoder);
        List<RewrittenSites.Rewrite> rewritten = RewrittenSites.of(loaded, decoder);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode doc = JSON.valueToTree(report);
            doc.set("rewritten_sites", JSON.valueToTree(rewritten.stream().map(r -> Map.of("layer", r.layer(),
                    "site", r.site().cliName(), "site_tensor", r.original(), "read_instead", r.now())).toList()));
            spec.commandLine().getOut().println(JSON.writeValueAsString(doc));
            spec.commandLine().getOut().flush();
        } else {
            InspectText.print(report, spec.commandLine().getOut());
            rewritten.forEach(r -> spec.commandLine().getOut().println("rewritten    " + r.describe()));
            spec.commandLine().getOut().flush();
        }
        return ExitCodes.OK;
    }
}
