package dev.sinkfix.cli;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.SaveResult;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.rewrite.Taps;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tap MODEL [options] [-o OUT]}: adds extra outputs that show the attention-sink phenomenon. */
@Command(name = "tap",
        description = {"Add taps: extra graph outputs, computed in fp32, that show the phenomenon and the fix "
                + "(tap.embed_norm, tap.resid_norm.L, tap.attn_norm.L, tap.mlp_norm.L, tap.attn_to_first.L, "
                + "tap.site.L.SITE, tap.resid.L). The model's other outputs are unchanged.",
                "Without options: the four norm taps on every layer."})
public final class TapCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    TapOptions taps;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's .onnx file (external data beside it).")
    Path model;

    @Mixin
    OutputOptions output;

    @Mixin
    MissingDataOption missingData;

    @Override
    public Integer call() throws Exception {
        Path in = model.toAbsolutePath().normalize();
        Path out = output.target(in, ".taps.onnx");
        ModelLoader.Loaded read = missingData.load(in);
        Model loaded = read.model();
        MergedDecoder merged = MergedDecoder.find(loaded);
        Taps.Result result = merged != null ? Taps.applyMerged(loaded, merged, taps.request())
                : Taps.apply(loaded, DecoderMatcher.match(loaded), taps.request());
        SaveResult saved = output.save(loaded, out);
        PrintWriter w = spec.commandLine().getOut();
        report(w, result);
        w.printf("wrote %s%n", saved.model());
        OutputOptions.describe(w, saved);
        MissingDataOption.report(w, read, saved);
        w.flush();
        return ExitCodes.OK;
    }

    static void report(PrintWriter w, Taps.Result result) {
        w.printf("%d taps added: %s%n", result.added().size(), String.join(", ", result.added()));
        result.skipped().forEach(s -> w.printf("  not added: %s%n", s));
    }
}
