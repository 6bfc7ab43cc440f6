package dev.sinkfix.validator.find;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.rewrite.PatchRecord;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.probe.LayerNorms;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * {@code find}: is there an attention sink, in which layer, made by which neurons, and the patch
 * that fixes it, decided with the authors' method (PATCH-SEMANTICS.md, "Finding the sink layer
 * and neurons") on the original model with taps added in a scratch copy. Two sessions: the tapped
 * original (with {@link SiteIntervention} inputs, so every zeroing and pinning tried is one call
 * on the same session) and, where a sink is found, the proposed patch itself.
 */
public final class SinkFinder {
    private static final int NEURONS_PER_LAYER = 8;

    private SinkFinder() {
    }

    public static FindReport find(Path modelFile, FindSettings s, SessionConfig config, String toolVersion,
                                  Consumer<String> warnings, Consumer<String> progress) throws IOException, OrtException {
        progress.accept("reading the model");
        Model model = ModelLoader.load(modelFile);
        Decoder decoder = DecoderMatcher.match(model);
        List<PatchRecord> patches = PatchRecord.readAll(model);
        if (!patches.isEmpty()) {
            throw new BadInputException(modelFile + " is already patched by onnx-sinkfix (layer " + patches.get(0).layer()
                    + ", neurons " + patches.get(0).neurons() + "); find runs on the original model");
        }
        List<Integer> window = FindInputs.window(s, decoder.layers().size());
        long vocab = decoder.vocabSize();
        List<Long> tokens = s.repeatTokens().isEmpty() ? FindInputs.spreadTokens(vocab, s.bos()) : s.repeatTokens();
        FindInputs.checkIds(vocab, s.bos(), tokens, s.prompts());
        int width = FindInputs.width(decoder, window);
        progress.accept("reading down_proj of layers " + window.get(0) + "-" + window.get(window.size() - 1));
        Map<Integer, WriteNorms> writes = new HashMap<>();
        for (int l : window) {
            writes.put(l, WriteNorms.of(model, decoder.layer(l).mlp()));
        }
        progress.accept("adding taps");
        SiteIntervention.apply(decoder, window, s.site());
        List<Integer> all = IntStream.range(0, width).boxed().toList();
        Taps.Result taps = Taps.apply(model, decoder, new TapRequest(Set.copyOf(window), true, false,
                Map.of(s.site(), all), false));
        for (String skipped : taps.skipped()) {
            if (skipped.startsWith("tap.resid_norm.") || skipped.startsWith("tap.mlp_norm.")
                    || skipped.startsWith("tap.site.")) {
                throw new BadInputException("find cannot measure " + skipped);
            }
        }
        List<long[]> varied = s.prompts().isEmpty() ? FindInputs.variedPrompts(vocab, s) : s.prompts();
        progress.accept("writing the tapped scratch copy");
        try (ScratchModel scratch = ScratchModel.of(model)) {
            progress.accept("creating the session");
            try (ModelSession session = Sessions.open(scratch.file(), config, warnings)) {
                TokenRuns runs = new TokenRuns(session);
                Interventions feeds = new Interventions(decoder.dtype(), width, window);
                progress.accept("BoS alone and " + varied.size() + " varied prompts");
                Observations o = Observations.run(runs, window, s.site(), width, s.bos(), varied, feeds.identity());
                return decide(modelFile, s, config, toolVersion, decoder, window, tokens, width, writes, runs, feeds, o,
                        progress);
            }
        }
    }

    private static FindReport decide(Path modelFile, FindSettings s, SessionConfig config, String toolVersion,
                                     Decoder decoder, List<Integer> window, List<Long> tokens, int width,
                                     Map<Integer, WriteNorms> writes, TokenRuns runs, Interventions feeds,
                                     Observations o, Consumer<String> progress) throws IOException, OrtException {
        double notebook = SinkLayerRule.threshold(o.bosMlp, window, null);
        Integer notebookLayer = window.stream().filter(l -> o.bosMlp.get(l) > notebook).findFirst().orElse(null);
        Map<Integer, Double> outlier = new HashMap<>();
        Integer sinkLayer = null;
        for (int l : window) {
            outlier.put(l, SinkLayerRule.threshold(o.bosMlp, window, l));
            if (sinkLayer == null && standsOut(o, outlier, l) && extreme(o, l, s.sinkFactor())) {
                sinkLayer = l;
            }
        }
        String provider = runs.session().provider().id();
        List<String> notes = new ArrayList<>();
        writes.values().stream().filter(w -> w.norms() == null).map(WriteNorms::note).distinct().forEach(notes::add);
        if (sinkLayer == null) {
            List<LayerEvidence> layers = evidence(window, o, outlier, writes, s, null, null);
            return new FindReport(modelFile.toString(), provider, FindReport.NONE, Explanations.noSinkReason(layers, s),
                    window, s.sinkFactor(), notebook, notebookLayer, null, layers, List.of(), null, List.of(),
                    presets(decoder, null), notes, null, null);
        }
        int l = sinkLayer;
        double ordinary = FindSettings.ORDINARY_FACTOR * o.typicalResid.get(l);
        NeuronSearch search = new NeuronSearch(runs, feeds, s, l, width);
        search.repeatRuns(tokens, o.typicalResid.get(l), progress);
        List<Integer> candidates = search.candidates(o.bosSite.get(l), writes.get(l));
        search.causalCheck(candidates, ordinary, progress);
        search.climbCheck(candidates, o.typicalResid.get(l), progress);
        search.recordChecks(candidates, o.bosSite.get(l), writes.get(l));
        List<LayerEvidence> layers = evidence(window, o, outlier, writes, s, l, search.repeatActivation);
        if (search.chosen.isEmpty()) {
            String reason = Explanations.notFewNeurons(o, l, candidates.size(), search.bosNormAllZeroed, ordinary);
            return new FindReport(modelFile.toString(), provider, FindReport.NONE, reason, window, s.sinkFactor(),
                    notebook, notebookLayer, null, layers, search.checks, ordinary,
                    figures(search, null), presets(decoder, null), notes, search.originalRuns.get(0), null);
        }
        List<LayerNorms> patched = PatchCheck.repeats(modelFile, l, search.chosen, s.site(), s.bos(), search.tokens,
                search.length, o.typicalResid.get(l), s.sinkFactor(), toolVersion, config, progress);
        List<RepeatFigure> repeats = figures(search, patched);
        boolean climbed = repeats.stream().anyMatch(r -> r.original() != null);
        Boolean stopped = climbed ? repeats.stream().allMatch(r -> r.original() == null || r.patched() == null) : null;
        SinkAnswer answer = new SinkAnswer(l, s.site(), search.chosen,
                Explanations.command(modelFile, l, search.chosen, s.site(), false),
                Explanations.command(modelFile, l, search.chosen, s.site(), true), search.bosNormAllZeroed, stopped);
        return new FindReport(modelFile.toString(), provider, FindReport.SINK,
                Explanations.sinkReason(o, l, outlier.get(l), answer, ordinary, repeats), window, s.sinkFactor(), notebook,
                notebookLayer, answer, layers, search.checks, ordinary, repeats, presets(decoder, answer), notes,
                search.originalRuns.get(0), patched.get(0));
    }

    private static boolean standsOut(Observations o, Map<Integer, Double> outlier, int l) {
        return o.bosMlp.get(l) > outlier.get(l);
    }

    private static boolean extreme(Observations o, int l, double factor) {
        return o.bosMlp.get(l) >= factor * o.typicalMlp.get(l) && o.bosResid.get(l) >= factor * o.typicalResid.get(l);
    }

    private static List<LayerEvidence> evidence(List<Integer> window, Observations o, Map<Integer, Double> outlier,
                                                Map<Integer, WriteNorms> writes, FindSettings s, Integer sinkLayer,
                                                double[] repeatActivation) {
        List<LayerEvidence> layers = new ArrayList<>();
        for (int l : window) {
            float[] bos = o.bosSite.get(l);
            float[] typical = o.typicalSite.get(l);
            WriteNorms w = writes.get(l);
            boolean sink = sinkLayer != null && sinkLayer == l;
            List<NeuronEvidence> neurons = IntStream.range(0, bos.length).boxed()
                    .sorted((a, b) -> Double.compare(Math.abs(bos[b]) * w.of(b), Math.abs(bos[a]) * w.of(a)))
                    .limit(NEURONS_PER_LAYER)
                    .map(k -> new NeuronEvidence(k, bos[k], typical[k], Math.abs(bos[k]) / typical[k], w.of(k),
                            Math.abs(bos[k]) * w.of(k), sink ? repeatActivation[k] : null,
                            sink ? repeatActivation[k] * w.of(k) : null))
                    .toList();
            layers.add(new LayerEvidence(l, o.bosResid.get(l), o.typicalResid.get(l), o.bosMlp.get(l),
                    o.typicalMlp.get(l), outlier.get(l), standsOut(o, outlier, l), extreme(o, l, s.sinkFactor()),
                    w.note(), neurons));
        }
        return layers;
    }

    private static List<RepeatFigure> figures(NeuronSearch search, List<LayerNorms> patched) {
        List<RepeatFigure> figures = new ArrayList<>();
        for (int i = 0; i < search.originalRuns.size(); i++) {
            LayerNorms before = search.originalRuns.get(i);
            LayerNorms after = patched == null ? null : patched.get(i);
            figures.add(new RepeatFigure(search.tokens.get(i), search.length, before.bos(), before.threshold(),
                    before.runLast(), after == null ? null : after.threshold(), after == null ? null : after.runLast()));
        }
        return figures;
    }

    private static List<PresetCheck> presets(Decoder decoder, SinkAnswer answer) {
        return PresetAgreement.check(decoder, answer);
    }
}
