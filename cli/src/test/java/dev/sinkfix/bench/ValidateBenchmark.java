package dev.sinkfix.bench;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.samples.SampleSpec;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.validator.validate.CheckResult;
import dev.sinkfix.validator.validate.Validation;
import dev.sinkfix.validator.validate.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How long {@code validate} takes on the mid-size sample (8 layers, hidden 1024, intermediate
 * 2816, fp32) under ONNX Runtime CPU, and where the time goes: opening sessions (load, match,
 * scratch copies with taps, session creation), running both models, comparing, and the repeat
 * task. The first run pays the JVM's and ONNX Runtime's warm-up; the figure is the median of
 * the later runs. Usage: benchmarks/validate.sh [RUNS]
 */
public final class ValidateBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = Files.createTempDirectory("sinkfix-validate-bench");
        SampleSpec spec = Samples.preset("mid");
        Path original = Samples.write(spec, dir);
        Model model = ModelLoader.load(original);
        SinkPatch.apply(model, DecoderMatcher.match(model), List.of(new SinkSpec(1, List.of(7, 1500), MlpSite.UP, 1)),
                "bench");
        Path patched = dir.resolve("patched.onnx");
        ModelSaver.create().save(model, patched);
        Validation.Options options = new Validation.Options(SessionConfig.defaults().withDevice(Device.CPU), null, null,
                1, 100, 30, true);
        System.out.printf("mid sample: %s%nONNX Runtime CPU (default threads, %d cores), optimisation ALL; %d runs "
                + "(the first is warm-up)%n", spec.describe(), Runtime.getRuntime().availableProcessors(), runs);
        System.out.printf("%-5s %8s %9s %7s %12s %12s  %s%n", "run", "total s", "sessions", "runs", "comparisons",
                "repeat task", "result");
        double[] totals = new double[runs];
        for (int i = 0; i < runs; i++) {
            ValidationReport r = Validation.run(original, patched, options, w -> { });
            ValidationReport.Timings t = r.timings();
            totals[i] = t.total();
            long passed = r.checks().stream().filter(c -> c.status() == CheckResult.Status.PASSED).count();
            System.out.printf("%-5d %8.2f %9.2f %7.2f %12.2f %12.2f  %s (%d of %d checks passed)%n", i + 1, t.total(),
                    t.sessions(), t.runs(), t.comparisons(), t.probe(), r.passed() ? "PASSED" : "FAILED", passed,
                    r.checks().size());
        }
        double[] later = java.util.Arrays.copyOfRange(totals, Math.min(1, runs - 1), runs);
        java.util.Arrays.sort(later);
        System.out.printf("median total after warm-up: %.2f s%n", later[later.length / 2]);
    }
}
