package dev.sinkfix.cli;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.SaveResult;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.Preset;
import dev.sinkfix.surgery.rewrite.PresetEvidence;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.surgery.rewrite.Taps;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code patch MODEL --layer L --neurons N,N [-o OUT]}: bakes the sink-neuron fix into the graph.
 * Several layers: repeat the {@code --layer}/{@code --neurons} pair, or use {@code --sink L:N,N}.
 * The input is never modified; the output shares or links its external data.
 */
@Command(name = "patch",
        description = {"Bake the sink-neuron fix into a model: for every token after the capture position, pin the "
                + "chosen MLP neurons of a layer to the value they had at the capture position (captured during "
                + "prefill, carried between calls as past_sink_state.L -> present_sink_state.L, like a KV cache).",
                "Several layers: repeat --layer/--neurons, or give --sink L:N,N once per layer."})
public final class PatchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's .onnx file (external data beside it).")
    Path model;

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    List<LayerNeurons> pairs = new ArrayList<>();

    /** One {@code --layer L --neurons N,N} pair. */
    static final class LayerNeurons {
        @Option(names = "--layer", required = true, paramLabel = "L", description = "Decoder layer to patch (0-based).")
        int layer;

        @Option(names = "--neurons", required = true, split = ",", paramLabel = "N",
                description = "Neuron ids of that layer's MLP site, comma-separated, 0-based.")
        List<Integer> neurons;
    }

    @Option(names = "--sink", paramLabel = "L:N,N", description = "A layer and its neurons in one option (repeatable).")
    List<String> sinks = new ArrayList<>();

    @Option(names = "--preset", paramLabel = "NAME", completionCandidates = Choices.PresetNames.class,
            description = "Layer and neurons from the poster's table: ${COMPLETION-CANDIDATES}. Checked against every "
                    + "shape, the config files and the rotary table's length; refused, naming what differs, when the "
                    + "model is not the preset's.")
    String preset;

    @Option(names = "--site", defaultValue = "up", paramLabel = "SITE", completionCandidates = Choices.SiteNames.class,
            description = "Which MLP activation to pin, one of ${COMPLETION-CANDIDATES}: up (up_proj output, default), "
                    + "gate (gate_proj output), "
                    + "act (act(gate)*up, the input of down_proj).")
    String site;

    @Option(names = "--capture-position", defaultValue = "1", paramLabel = "P",
            description = "Absolute position whose value is captured (default ${DEFAULT-VALUE}: the first token after BoS).")
    int capturePosition;

    @Mixin
    OutputOptions output;

    @Mixin
    MissingDataOption missingData;

    @Option(names = "--taps", description = "Also add taps (see `tap --help`; the four norms unless tap options choose).")
    boolean withTaps;

    @Mixin
    TapOptions taps;

    @Override
    public Integer call() throws Exception {
        MlpSite mlpSite = parseSite(site);
        Path in = model.toAbsolutePath().normalize();
        Path out = output.target(in, ".sinkfix.onnx");
        ModelLoader.Loaded read = missingData.load(in);
        Model loaded = read.model();
        MergedDecoder merged = MergedDecoder.find(loaded);
        Decoder decoder = merged != null ? merged.withPast() : DecoderMatcher.match(loaded);
        List<SinkSpec> specs = specs(loaded, decoder, mlpSite);
        List<SinkPatch.LayerResult> results = merged != null
                ? SinkPatch.applyMerged(loaded, merged, specs, VersionProvider.toolVersion())
                : SinkPatch.apply(loaded, decoder, specs, VersionProvider.toolVersion());
        Taps.Result tapped = !withTaps ? null : merged != null
                ? Taps.applyMerged(loaded, MergedDecoder.find(loaded), taps.request())
                : Taps.apply(loaded, DecoderMatcher.match(loaded), taps.request());
        if (merged != null) {
            spec.commandLine().getOut().printf("merged decoder (%s on %s): patched in both branches, one state pair%n",
                    merged.branchNode(), merged.useCacheBranch().name());
        }
        SaveResult saved = output.save(loaded, out);
        if (tapped != null) {
            TapCommand.report(spec.commandLine().getOut(), tapped);
        }
        report(decoder, results, saved);
        MissingDataOption.report(spec.commandLine().getOut(), read, saved);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** What the preset was checked against, printed with the result; null without --preset. */
    private PresetEvidence.Fit presetFit;

    private List<SinkSpec> specs(Model model, Decoder decoder, MlpSite mlpSite) {
        List<SinkSpec> specs = new ArrayList<>();
        for (LayerNeurons p : pairs) {
            specs.add(new SinkSpec(p.layer, p.neurons, mlpSite, capturePosition));
        }
        for (String s : sinks) {
            specs.add(parseSink(s, mlpSite));
        }
        if (preset != null) {
            if (!specs.isEmpty()) {
                throw new BadInputException("give either --preset or layers (--layer/--neurons, --sink), not both");
            }
            Preset p = Preset.byId(preset);
            presetFit = PresetEvidence.check(p, model, decoder);
            presetFit.requireFits();
            specs.add(new SinkSpec(p.layer(), p.neurons(), mlpSite, capturePosition));
        }
        if (specs.isEmpty()) {
            throw new BadInputException("nothing to patch: give --layer L --neurons N,N, --sink L:N,N or --preset NAME");
        }
        return specs;
    }

    private SinkSpec parseSink(String text, MlpSite mlpSite) {
        String[] parts = text.split(":", -1);
        try {
            if (parts.length == 2) {
                List<Integer> neurons = Arrays.stream(parts[1].split(",")).map(String::trim).map(Integer::valueOf).toList();
                return new SinkSpec(Integer.parseInt(parts[0].trim()), neurons, mlpSite, capturePosition);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("--sink '" + text + "' is not LAYER:NEURON,NEURON (for example 1:7890,10411)");
    }

    private static MlpSite parseSite(String text) {
        for (MlpSite s : MlpSite.values()) {
            if (s.cliName().equals(text)) {
                return s;
            }
        }
        throw new BadInputException("unknown site '" + text + "'; expected one of up, gate, act");
    }

    private void report(Decoder decoder, List<SinkPatch.LayerResult> results, SaveResult saved) {
        PrintWriter out = spec.commandLine().getOut();
        if (presetFit != null) {
            PresetLines.print(out, presetFit);
        }
        PresetLines.familyNote(out, decoder);
        for (SinkPatch.LayerResult r : results) {
            out.printf("layer %d: pinned neurons %s of %s%n", r.layer(), r.neurons(), r.site());
            out.printf("  readers now read %s%n", r.patchedSite());
            out.printf("  state %s -> %s (feed zeros on the first call, then each call's output to the next)%n",
                    r.stateInput(), r.stateOutput());
            out.printf("  %d nodes added (standard ONNX operators)%n", r.nodesAdded());
        }
        out.printf("wrote %s%n", saved.model());
        OutputOptions.describe(out, saved);
        out.flush();
    }
}
