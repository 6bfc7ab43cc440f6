package dev.sinkfix.bench;

import dev.sinkfix.runtime.generate.Argmax;
import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.samples.SampleSpec;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.ClampPatch;
import dev.sinkfix.surgery.rewrite.ClampSpec;
import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.validator.PaddedBatch;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.SiteTaps;
import dev.sinkfix.validator.SiteTensor;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.validator.clamp.CalibrationPrompts;
import dev.sinkfix.validator.clamp.ClampCalibration;
import dev.sinkfix.validator.probe.LayerNorms;
import dev.sinkfix.validator.probe.ProbeSettings;
import dev.sinkfix.validator.probe.RepeatProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The quality of each mode, and clamp's run-time cost. On the sink sample and on stories260K (a
 * really trained Llama): on ordinary prompts, the fraction of positions after the capture where a
 * mode changes a chosen neuron, and the greedy (argmax) next-token agreement with the original at
 * those positions, teacher-forced; on the repeat task, the residual norm after the patched layer
 * (BoS, typical, the run's median and last) for the original and both modes. Then the decode-step
 * latency of clamp and replay against the original on the mid sample, interleaved, ratio of
 * medians. Usage: benchmarks/clamp-quality.sh [ROUNDS] [decode] ("decode": the cost measurement only)
 */
public final class ClampQualityBenchmark {
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU)
            .withOptimization(GraphOptimization.ALL);

    private record Patched(String label, Path file, List<NeuronRange> ranges) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("sinkfix-clamp-quality");
        try {
            Locale.setDefault(Locale.ROOT);
            boolean decodeOnly = args.length > 1 && args[1].equals("decode");
            if (!decodeOnly) {
                sinkSample(dir.resolve("sink"));
                stories(dir.resolve("stories"));
            }
            decodeCost(dir.resolve("mid"), rounds);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void sinkSample(Path dir) throws Exception {
        Path original = Samples.write("llama-sink-fp32", dir);
        SinkSpec spec = new SinkSpec(1, List.of(42, 137), MlpSite.UP, 1);
        List<PaddedBatch> ordinary = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ordinary.add(CalibrationPrompts.generated(256, 1, 1, 9000 + i).get(0));
        }
        List<Patched> models = patches(original, spec, List.of());
        System.out.printf("== llama-sink-fp32, layer 1 neurons 42,137 (site up): ordinary = 16 prompts of random ids "
                + "(held out from calibration), repeat task = BoS + token 100 x 200%n");
        quality(original, spec, models, ordinary);
        repeat(original, spec, models, 100, 200);
    }

    private static void stories(Path dir) throws Exception {
        Path shared = Path.of(System.getProperty("sinkfix.shared", "testdata"), "models", "stories260K", "model.onnx");
        Files.createDirectories(dir);
        Path original = Files.copy(shared, dir.resolve("model.onnx"));
        List<PaddedBatch> ordinary = sampled(original, 16, 96, 100);
        List<PaddedBatch> calibration = sampled(original, 16, 96, 200);
        List<Integer> neurons = bosNeurons(original, 1, 2, ordinary.get(0));
        SinkSpec spec = new SinkSpec(1, neurons, MlpSite.UP, 1);
        List<Patched> models = patches(original, spec, calibration);
        System.out.printf("== stories260K, layer 1 neurons %s (the two largest |up| at BoS relative to later tokens; "
                + "the model has no known sink neurons): ordinary = 16 stories of 96 tokens sampled from the model at "
                + "temperature 1 (seeds apart from calibration's), repeat task = BoS + token 261 x 400%n", neurons);
        quality(original, spec, models, ordinary);
        repeat(original, spec, models, 261, 400);
    }

    /** Replay, clamp with the CLI's default calibration, and (when given) clamp calibrated on {@code text}. */
    private static List<Patched> patches(Path original, SinkSpec spec, List<PaddedBatch> text) throws Exception {
        List<Patched> out = new ArrayList<>();
        Model replay = ModelLoader.load(original);
        SinkPatch.apply(replay, DecoderMatcher.match(replay), List.of(spec), "bench");
        Path replayFile = original.resolveSibling("replay.onnx");
        ModelSaver.create().save(replay, replayFile);
        out.add(new Patched("replay", replayFile, null));
        long vocab = DecoderMatcher.match(ModelLoader.load(original)).vocabSize();
        List<PaddedBatch> defaults = CalibrationPrompts.prompts(vocab, 1, null, original);
        out.add(clamp(original, spec, defaults, "clamp, default calibration", "clamp-default.onnx"));
        if (!text.isEmpty()) {
            List<PaddedBatch> both = new ArrayList<>(defaults);
            both.addAll(text);
            out.add(clamp(original, spec, both, "clamp, + 16 sampled stories", "clamp-text.onnx"));
        }
        return out;
    }

    private static Patched clamp(Path original, SinkSpec spec, List<PaddedBatch> prompts, String label, String file)
            throws Exception {
        ClampCalibration.Result cal = ClampCalibration.calibrate(original, List.of(spec), prompts,
                ClampCalibration.DEFAULT_MARGIN, CPU, w -> { });
        Model m = ModelLoader.load(original);
        List<NeuronRange> ranges = cal.ranges().get(spec.layer());
        ClampPatch.apply(m, DecoderMatcher.match(m), List.of(new ClampSpec(spec, ranges, cal.source())), "bench");
        Path out = original.resolveSibling(file);
        ModelSaver.create().save(m, out);
        return new Patched(label, out, ranges);
    }

    private static void quality(Path original, SinkSpec spec, List<Patched> models, List<PaddedBatch> prompts)
            throws Exception {
        Model m = ModelLoader.load(original);
        Decoder d = DecoderMatcher.match(m);
        String site = d.layer(spec.layer()).site(spec.site()).name();
        SiteTaps.expose(m, d.dtype(), site);
        List<float[]> logits = new ArrayList<>();
        List<SiteTensor> sites = new ArrayList<>();
        try (ScratchModel scratch = ScratchModel.of(m); ModelSession s = Sessions.open(scratch.file(), CPU, w -> { })) {
            for (PaddedBatch p : prompts) {
                StepInputs call = p.columns(0, p.columns());
                Stepper.Step step = Stepper.run(s, call, Stepper.emptyPast(s, 1));
                logits.add(step.output("logits").values());
                sites.add(SiteTensor.of(step.output(site), 1, call.length()));
            }
        }
        int vocab = (int) d.vocabSize();
        System.out.printf("  %-30s %-44s %s%n", "mode", "positions after the capture it changes", "greedy agreement there");
        for (Patched p : models) {
            long after = 0;
            long changed = 0;
            long agree = 0;
            try (ModelSession s = Sessions.open(p.file(), CPU, w -> { })) {
                for (int i = 0; i < prompts.size(); i++) {
                    StepInputs call = prompts.get(i).columns(0, prompts.get(i).columns());
                    float[] mine = Stepper.run(s, call, Stepper.emptyPast(s, 1)).output("logits").values();
                    SiteTensor x = sites.get(i);
                    for (int t = spec.capturePosition() + 1; t < call.length(); t++) {
                        after++;
                        boolean differs = false;
                        for (int k = 0; k < spec.neurons().size(); k++) {
                            float v = x.get(0, t, spec.neurons().get(k));
                            differs |= p.ranges() == null ? v != x.get(0, spec.capturePosition(), spec.neurons().get(k))
                                    : !p.ranges().get(k).contains(v);
                        }
                        changed += differs ? 1 : 0;
                        agree += Argmax.of(logits.get(i), t * vocab, vocab) == Argmax.of(mine, t * vocab, vocab) ? 1 : 0;
                    }
                }
            }
            System.out.printf("  %-30s %-44s %d of %d (%.1f%%)%n", p.label(),
                    String.format("%d of %d (%.2f%%)", changed, after, 100.0 * changed / after), agree, after,
                    100.0 * agree / after);
        }
        for (Patched p : models) {
            if (p.ranges() != null) {
                System.out.printf("  ranges of %s: %s%n", p.label(), p.ranges().stream().map(NeuronRange::text).toList());
            }
        }
    }

    private static void repeat(Path original, SinkSpec spec, List<Patched> models, long token, int repeats)
            throws Exception {
        ProbeSettings s = new ProbeSettings(1, token, List.of(repeats), spec.layer(), 4, 32, 20261201L, 5.0);
        System.out.printf("  repeat task, residual norm after layer %d: %-30s %10s %10s %12s %10s%n", spec.layer(), "",
                "BoS", "typical", "run median", "run last");
        List<Patched> all = new ArrayList<>();
        all.add(new Patched("original", original, null));
        all.addAll(models);
        for (Patched p : all) {
            LayerNorms n = RepeatProbe.probe(p.file(), s, CPU, w -> { }).layer(spec.layer());
            System.out.printf("  %-72s %10.2f %10.2f %12.2f %10.2f%n", p.label(), n.bos(), n.typical(), n.runMedian(),
                    n.runLast());
        }
    }

    private static void decodeCost(Path dir, int rounds) throws Exception {
        SampleSpec spec = Samples.preset("mid");
        Path original = Samples.write(spec, dir);
        SinkSpec sink = new SinkSpec(1, List.of(7, 1500), MlpSite.UP, 1);
        Model clamp = ModelLoader.load(original);
        ClampPatch.apply(clamp, DecoderMatcher.match(clamp), List.of(new ClampSpec(sink,
                List.of(new NeuronRange(-1f, 1f), new NeuronRange(-1f, 1f)), "bench")), "bench");
        Path clampFile = dir.resolve("clamp.onnx");
        ModelSaver.create().save(clamp, clampFile);
        Model replay = ModelLoader.load(original);
        SinkPatch.apply(replay, DecoderMatcher.match(replay), List.of(sink), "bench");
        Path replayFile = dir.resolve("replay.onnx");
        ModelSaver.create().save(replay, replayFile);
        System.out.printf("== decode step on the mid sample (%s), one token after a 512-token past, %d rounds, "
                + "ONNX Runtime CPU, optimisation ALL%n", spec.describe(), rounds);
        try (ModelSession a = Sessions.open(original, CPU, w -> { });
             ModelSession b = Sessions.open(clampFile, CPU, w -> { });
             ModelSession c = Sessions.open(replayFile, CPU, w -> { })) {
            double[][] t = RuntimeOverheadBenchmark.measure(List.of(a, b, c), spec, 1, rounds);
            double base = RuntimeOverheadBenchmark.median(t[0]);
            for (int i = 1; i < 3; i++) {
                double med = RuntimeOverheadBenchmark.median(t[i]);
                double minBase = Arrays.stream(t[0]).min().orElse(0);
                double min = Arrays.stream(t[i]).min().orElse(0);
                System.out.printf("  %-7s original %7.2f ms   this %7.2f ms   ratio of medians %.3f   (min %.2f / %.2f ms,"
                        + " ratio of minima %.3f)%n", i == 1 ? "clamp" : "replay", base, med, med / base, minBase, min,
                        min / minBase);
            }
        }
    }

    /** Stories the model writes itself from BoS, sampled at temperature 1: ordinary text for a model without a tokenizer. */
    private static List<PaddedBatch> sampled(Path model, int count, int length, long seed) throws Exception {
        List<PaddedBatch> out = new ArrayList<>();
        try (ModelSession s = Sessions.open(model, CPU, w -> { })) {
            for (int i = 0; i < count; i++) {
                SplittableRandom random = new SplittableRandom(seed + i);
                long[] ids = new long[length];
                ids[0] = 1;
                for (int n = 1; n < length; n++) {
                    PaddedBatch so = PaddedBatch.of(Arrays.copyOf(ids, n));
                    HostTensor logits = Stepper.run(s, so.columns(0, n), Stepper.emptyPast(s, 1))
                            .output("logits");
                    int vocab = (int) logits.dim(2);
                    ids[n] = sample(logits.values(), (n - 1) * vocab, vocab, random);
                }
                out.add(PaddedBatch.of(ids));
            }
        }
        return out;
    }

    /** The layer's {@code count} neurons of largest |up| at BoS against their mean |up| at later tokens. */
    private static List<Integer> bosNeurons(Path original, int layer, int count, PaddedBatch prompt) throws Exception {
        Model m = ModelLoader.load(original);
        Decoder d = DecoderMatcher.match(m);
        String site = d.layer(layer).site(MlpSite.UP).name();
        SiteTaps.expose(m, d.dtype(), site);
        try (ScratchModel scratch = ScratchModel.of(m); ModelSession s = Sessions.open(scratch.file(), CPU, w -> { })) {
            StepInputs call = prompt.columns(0, prompt.columns());
            SiteTensor x = SiteTensor.of(Stepper.run(s, call, Stepper.emptyPast(s, 1)).output(site), 1,
                    call.length());
            Integer[] order = new Integer[x.width()];
            double[] score = new double[x.width()];
            for (int n = 0; n < x.width(); n++) {
                order[n] = n;
                double later = 0;
                for (int t = 1; t < call.length(); t++) {
                    later += Math.abs(x.get(0, t, n));
                }
                score[n] = Math.abs(x.get(0, 0, n)) / (later / (call.length() - 1) + 1e-6);
            }
            Arrays.sort(order, (p, q) -> Double.compare(score[q], score[p]));
            return List.of(order).subList(0, count).stream().sorted().toList();
        }
    }

    private static long sample(float[] logits, int from, int n, SplittableRandom random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[from + i] - max);
            sum += p[i];
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < n; i++) {
            r -= p[i];
            if (r <= 0) {
                return i;
            }
        }
        return n - 1;
    }
}
