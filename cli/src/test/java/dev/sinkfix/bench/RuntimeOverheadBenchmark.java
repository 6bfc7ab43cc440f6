package dev.sinkfix.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
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
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the patch and the taps cost at run time: decode-step latency (one token after a 512-token
 * past) and prefill latency (a 512-token prompt) of the patched model and of the model with all
 * norm taps on every layer, against the original mid-size sample (8 layers, hidden 1024,
 * intermediate 2816, fp32), under ONNX Runtime CPU with the same session options. Runs are
 * interleaved (original, patched, tapped, original, ...) so machine noise hits all alike; the
 * ratio of medians is the figure. Usage: benchmarks/runtime-overhead.sh [ROUNDS]
 */
public final class RuntimeOverheadBenchmark {
    private static final int PROMPT = 512;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("sinkfix-overhead");
        SampleSpec spec = Samples.preset("mid");
        Path original = Samples.write(spec, dir);
        Model model = ModelLoader.load(original);
        SinkPatch.apply(model, DecoderMatcher.match(model), List.of(new SinkSpec(1, List.of(7, 1500), MlpSite.UP, 1)), "bench");
        Path patched = dir.resolve("patched.onnx");
        ModelSaver.create().save(model, patched);
        Model tappedModel = ModelLoader.load(original);
        Taps.apply(tappedModel, DecoderMatcher.match(tappedModel), TapRequest.defaults());
        Path tapped = dir.resolve("tapped.onnx");
        ModelSaver.create().save(tappedModel, tapped);

        SessionConfig config = SessionConfig.defaults().withDevice(Device.CPU).withOptimization(GraphOptimization.ALL);
        System.out.printf("mid sample: %s%nONNX Runtime CPU (default threads), optimisation ALL; %d rounds%n",
                spec.describe(), rounds);
        try (ModelSession a = Sessions.open(original, config, w -> { });
             ModelSession b = Sessions.open(patched, config, w -> { });
             ModelSession c = Sessions.open(tapped, config, w -> { })) {
            double[][] decode = measure(List.of(a, b, c), spec, 1, rounds);
            double[][] prefill = measure(List.of(a, b, c), spec, PROMPT, Math.max(8, rounds / 3));
            report("decode step, patched", decode[0], decode[1]);
            report("decode step, all taps", decode[0], decode[2]);
            report("prefill 512, patched", prefill[0], prefill[1]);
            report("prefill 512, all taps", prefill[0], prefill[2]);
        }
        try (var files = Files.walk(dir)) {
            files.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
        }
    }

    /** Per session, the time of each round in ms; sessions take turns within a round. */
    static double[][] measure(List<ModelSession> sessions, SampleSpec spec, int seq, int rounds) throws Exception {
        int past = seq == 1 ? PROMPT : 0;
        double[][] t = new double[sessions.size()][rounds];
        for (int warm = 0; warm < 3; warm++) {
            for (ModelSession s : sessions) {
                time(s, spec, seq, past);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < sessions.size(); i++) {
                t[i][r] = time(sessions.get(i), spec, seq, past);
            }
        }
        return t;
    }

    private static double time(ModelSession s, SampleSpec spec, int seq, int past) throws Exception {
        boolean patched = s.inputs().stream().anyMatch(i -> i.name().startsWith("past_sink_state."));
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            long[] ids = new long[seq];
            Arrays.fill(ids, 42);
            long[] mask = new long[past + seq];
            Arrays.fill(mask, 1);
            long[] positions = new long[seq];
            for (int i = 0; i < seq; i++) {
                positions[i] = past + i;
            }
            feeds.put("input_ids", OnnxTensor.createTensor(Sessions.environment(), java.nio.LongBuffer.wrap(ids), new long[] {1, seq}));
            feeds.put("attention_mask", OnnxTensor.createTensor(Sessions.environment(), java.nio.LongBuffer.wrap(mask), new long[] {1, past + seq}));
            feeds.put("position_ids", OnnxTensor.createTensor(Sessions.environment(), java.nio.LongBuffer.wrap(positions), new long[] {1, seq}));
            float[] cache = new float[spec.kvHeads() * past * spec.headDim()];
            for (int l = 0; l < spec.layers(); l++) {
                for (String kind : List.of("key", "value")) {
                    feeds.put("past_key_values." + l + "." + kind, OnnxTensor.createTensor(Sessions.environment(),
                            java.nio.FloatBuffer.wrap(cache), new long[] {1, spec.kvHeads(), past, spec.headDim()}));
                }
            }
            if (patched) {
                feeds.put("past_sink_state.1", OnnxTensor.createTensor(Sessions.environment(),
                        java.nio.FloatBuffer.wrap(new float[2]), new long[] {1, 2}));
            }
            long start = System.nanoTime();
            try (OrtSession.Result ignored = s.run(feeds)) {
                return (System.nanoTime() - start) / 1e6;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static void report(String what, double[] base, double[] other) {
        double a = median(base);
        double b = median(other);
        System.out.printf("%-24s original %8.2f ms   this %8.2f ms   ratio of medians %.3f   (min %.2f / %.2f ms)%n",
                what, a, b, b / a, Arrays.stream(base).min().orElse(0), Arrays.stream(other).min().orElse(0));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
