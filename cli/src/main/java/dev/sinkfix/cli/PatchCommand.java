package dev.sinkfix.cli;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.SaveResult;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.ClampPatch;
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

    @Option(names = "--mode", defaultValue = "replay", paramLabel = "MODE",
            description = "replay (default): the paper's patch, with the past_sink_state.L -> present_sink_state.L "
                    + "pair that the runtime must thread; clamp: no state, inputs and outputs unchanged, each neuron "
                    + "cut to its ordinary range after the capture position (for transformers.js, "
                    + "onnxruntime-genai, optimum).")
    String mode;

    @Option(names = "--clamp", paramLabel = "[L:]N=LO:HI",
            description = "Clamp mode: the range of one neuron (repeatable); neurons without one are calibrated.")
    List<String> clampRanges = new ArrayList<>();

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "Clamp mode: more calibration prompts, one per line, text (through tokenizer.json) or "
                    + "comma-separated ids, besides the generated ones.")
    Path calibration;

    @Option(names = "--clamp-margin", defaultValue = "0.25", paramLabel = "M",
            description = "Clamp mode: each calibrated range [min, max] is widened by M times its span on each "
                    + "side (default ${DEFAULT-VALUE}).")
    double clampMargin;

    @Option(names = "--bos", defaultValue = "1", paramLabel = "ID",
            description = "Clamp mode: the BoS id that starts the generated calibration prompts (default ${DEFAULT-VALUE}).")
    long bos;

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
        MlpSite mlpSite = Choices.site(site);
        Path in = model.toAbsolutePath().normalize();
        Path out = output.target(in, ".sinkfix.onnx");
        ModelLoader.Loaded read = missingData.load(in);
        Model loaded = read.model();
        MergedDecoder merged = MergedDecoder.find(loaded);
        Decoder decoder = merged != null ? merged.withPast() : DecoderMatcher.match(loaded);
        List<SinkSpec> specs = specs(loaded, decoder, mlpSite);
        if (!"replay".equals(mode) && !"clamp".equals(mode)) {
            throw new BadInputException("unknown mode '" + mode + "'; expected replay or clamp");
        }
        if ("clamp".equals(mode)) {
            if (merged != null) {
                throw new BadInputException("--mode clamp does not rewrite optimum's merged decoder (an If with two "
                        + "branches) yet; patch the unmerged decoder_with_past model, or use --mode replay");
            }
            List<ClampPatch.LayerResult> clamped = ClampMode.apply(in, loaded, decoder, specs,
                    new ClampMode.Settings(clampRanges, calibration, clampMargin, bos), VersionProvider.toolVersion(),
                    spec.commandLine().getErr());
            Taps.Result tappedClamp = withTaps ? Taps.apply(loaded, DecoderMatcher.match(loaded), taps.request()) : null;
            SaveResult savedClamp = output.save(loaded, out);
            if (tappedClamp != null) {
                TapCommand.report(spec.commandLine().getOut(), tappedClamp);
            }
            ClampMode.report(spec.commandLine().getOut(), clamped, loaded);
            report(decoder, List.of(), savedClamp);
            MissingDataOption.report(spec.commandLine().getOut(), read, savedClamp);
            return ExitCodes.OK;
        }
        if (!clampRanges.isEmpty() || calibration != null) {
            throw new BadInputException("--clamp and --calibration belong to --mode clamp");
        }
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
        if (!results.isEmpty()) {
            String pairs = results.stream().map(r -> r.stateInput() + " -> " + r.stateOutput())
                    .reduce((a, b) -> a + ", " + b).orElse("");
            out.printf("runs where the runtime threads %s between calls (a plain ONNX Runtime loop, OpenVINO "
                    + "MakeStateful, Triton sequence state); for transformers.js, onnxruntime-genai or optimum use "
                    + "--mode clamp%n", pairs);
        }
        out.flush();
    }
}
