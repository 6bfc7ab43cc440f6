package dev.sinkfix.bench;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.samples.SinkSample;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.validator.find.FindReport;
import dev.sinkfix.validator.find.FindSettings;
import dev.sinkfix.validator.find.SinkFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How long {@code find} takes, and where the time goes, on the mid-size sample (8 layers, hidden
 * 1024, intermediate 2816, vocab 32000, fp32 inline: no sink, so no repeat runs) and on the sink
 * sample (every step: repeat runs, causal check, the patched model). The steps are timed at the
 * engine's own progress lines. The first run pays the JVM's and ONNX Runtime's warm-up; the
 * figures are the medians of the later runs. Usage: benchmarks/find.sh [RUNS]
 */
public final class FindBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        Path dir = Files.createTempDirectory("sinkfix-find-bench");
        SessionConfig cpu = SessionConfig.defaults().withDevice(Device.CPU);
        System.out.printf("ONNX Runtime CPU (default threads, %d cores); %d runs each, the first is warm-up%n",
                Runtime.getRuntime().availableProcessors(), runs);
        measure("mid", Samples.write("mid", dir.resolve("mid")), FindSettings.defaults(), cpu, runs);
        measure(SinkSample.PRESET, Samples.write(SinkSample.PRESET, dir.resolve("sink")),
                FindSettings.defaults().withRepeats(List.of(), 500), cpu, runs);
    }

    private static void measure(String label, Path model, FindSettings settings, SessionConfig cpu, int runs)
            throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        List<Double> totals = new ArrayList<>();
        String verdict = "";
        for (int i = 0; i < runs; i++) {
            Map<String, Double> steps = new LinkedHashMap<>();
            long[] last = {System.nanoTime()};
            String[] current = {"start"};
            long start = last[0];
            FindReport r = SinkFinder.find(model, settings, cpu, "bench", w -> { }, step -> {
                long now = System.nanoTime();
                steps.merge(current[0], (now - last[0]) / 1e9, Double::sum);
                current[0] = step.replaceAll("\\d+ of \\d+ \\(token \\d+\\)", "N").replaceAll("\\[.*]", "...");
                last[0] = now;
            });
            long end = System.nanoTime();
            steps.merge(current[0], (end - last[0]) / 1e9, Double::sum);
            steps.remove("start");
            totals.add((end - start) / 1e9);
            all.add(steps);
            verdict = r.verdict() + (r.found() ? " layer " + r.sink().layer() + " neurons " + r.sink().neurons() : "");
        }
        System.out.printf("%n%s (%s): median total %.2f s after warm-up (first run %.2f s)%n", label, verdict,
                median(totals.subList(Math.min(1, runs - 1), runs)), totals.get(0));
        for (String step : all.get(all.size() - 1).keySet()) {
            List<Double> times = new ArrayList<>();
            for (Map<String, Double> m : all.subList(Math.min(1, runs - 1), runs)) {
                times.add(m.getOrDefault(step, 0.0));
            }
            System.out.printf("  %-48s %7.3f s%n", step, median(times));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
