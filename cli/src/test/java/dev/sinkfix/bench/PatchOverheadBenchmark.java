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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the patch costs at run time: decode-step latency (one token after a 512-token past) and
 * prefill latency (a 512-token prompt) of the patched vs the original mid-size sample (8 layers,
 * hidden 1024, intermediate 2816, fp32) under ONNX Runtime CPU, same session options. Runs are
 * interleaved (original, patched, original, ...) so machine noise hits both alike; the ratio of
 * medians is the figure. Usage: benchmarks/patch-overhead.sh [ROUNDS]
 */
public final class PatchOverheadBenchmark {
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

        SessionConfig config = SessionConfig.defaults().withDevice(Device.CPU).withOptimization(GraphOptimization.ALL);
        System.out.printf("mid sample: %s; ONNX Runtime CPU, %d intra-op threads, optimisation ALL; %d rounds%n",
                spec.describe(), config.intraOpThreads(), rounds);
        try (ModelSession a = Sessions.open(original, config, w -> { });
             ModelSession b = Sessions.open(patched, config, w -> { })) {
            report("decode step (past 512)", measure(a, b, spec, 1, rounds));
            report("prefill (512 tokens)", measure(a, b, spec, PROMPT, Math.max(5, rounds / 5)));
        }
        try (var files = Files.walk(dir)) {
            files.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
        }
    }

    /** [original medians, patched medians] in ms. */
    private static double[][] measure(ModelSession a, ModelSession b, SampleSpec spec, int seq, int rounds) throws Exception {
        int past = seq == 1 ? PROMPT : 0;
        double[] ta = new double[rounds];
        double[] tb = new double[rounds];
        for (int warm = 0; warm < 3; warm++) {
            time(a, spec, seq, past, false);
            time(b, spec, seq, past, true);
        }
        for (int r = 0; r < rounds; r++) {
            ta[r] = time(a, spec, seq, past, false);
            tb[r] = time(b, spec, seq, past, true);
        }
        return new double[][] {ta, tb};
    }

    private static double time(ModelSession s, SampleSpec spec, int seq, int past, boolean patched) throws Exception {
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

    private static void report(String what, double[][] t) {
        double a = median(t[0]);
        double b = median(t[1]);
        System.out.printf("%-24s original %8.2f ms   patched %8.2f ms   ratio %.3f   (min %.2f / %.2f ms)%n",
                what, a, b, b / a, Arrays.stream(t[0]).min().orElse(0), Arrays.stream(t[1]).min().orElse(0));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
