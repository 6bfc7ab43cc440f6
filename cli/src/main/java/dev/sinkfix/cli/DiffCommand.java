package dev.sinkfix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.validator.diff.DiffInputs;
import dev.sinkfix.validator.diff.ModelDiff;
import dev.sinkfix.validator.diff.OutputDiff;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code diff A B}: both models on the same inputs, every shared output compared (one at a
 * time, so memory stays near one output's size); exit 1 when an output is out of tolerance.
 */
@Command(name = "diff",
        description = {"Run two models on the same inputs (generated from A's input signature with --seed, or "
                + "--inputs FILE) and compare the outputs they share by name: max absolute and relative error, "
                + "mean, 99th percentile, and the first element out of tolerance with both values. "
                + "An element is within tolerance when |b - a| <= atol + rtol * |a|; the defaults are per dtype "
                + "(float abs 1e-6 + rel 1e-6, float16 1e-3 + 2e-3, bfloat16 8e-3 + 1.6e-2, integers exact).",
            "--inputs FILE is JSON: {\"input_ids\": {\"shape\": [1, 4], \"data\": [1, 5, 9, 2]}, ...}; inputs it "
                + "leaves out are generated."})
public final class DiffCommand implements Callable<Integer> {
    static final String SCHEMA = "onnx-sinkfix/diff/1";

    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "The reference model.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The model compared with it.")
    Path b;

    @Option(names = "--outputs", split = ",", paramLabel = "NAME", description = "Only these outputs (default: all shared).")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--atol", paramLabel = "X|NAME=X", description = "Absolute tolerance, for all outputs or one (repeatable).")
    List<String> atol = new ArrayList<>();

    @Option(names = "--rtol", paramLabel = "X|NAME=X", description = "Relative tolerance, for all outputs or one (repeatable).")
    List<String> rtol = new ArrayList<>();

    @Option(names = "--inputs", paramLabel = "FILE", description = "Inputs as JSON (see above).")
    Path inputs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of generated inputs (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "REPORT", description = "Also write the report as JSON (schema " + SCHEMA
            + ") to this file; '-' prints it instead of the table.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Double> atolByName = new LinkedHashMap<>();
        Map<String, Double> rtolByName = new LinkedHashMap<>();
        Double atolAll = tolerances("--atol", atol, atolByName);
        Double rtolAll = tolerances("--rtol", rtol, rtolByName);
        ModelDiff.Options options = new ModelDiff.Options(SessionConfig.defaults().withDevice(device.device()), outputs,
                atolAll, rtolAll, atolByName, rtolByName, inputs == null ? Map.of() : readInputs(inputs), seed);
        ModelLoader.requireRunnable(a); // a graph-only or escaping data file: exit 2, naming it
        ModelLoader.requireRunnable(b);
        ModelDiff.Report report = ModelDiff.run(a, b, options, w -> err.println("onnx-sinkfix: warning: " + w));
        if ("-".equals(json)) {
            out.println(Json.write(document(report)));
        } else {
            print(out, report);
            if (json != null) {
                Path file = Path.of(json).toAbsolutePath();
                ReportFiles.write(file, Json.write(document(report)));
                out.printf("report: %s%n", file);
            }
        }
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    /** The value for all outputs (or null), and per-name values into {@code byName}. */
    private static Double tolerances(String option, List<String> values, Map<String, Double> byName) {
        Double all = null;
        for (String v : values) {
            int eq = v.lastIndexOf('=');
            String name = eq < 0 ? null : v.substring(0, eq).trim();
            double x;
            try {
                x = Double.parseDouble(v.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new BadInputException(option + " '" + v + "' is not a number or NAME=NUMBER");
            }
            if (!(x >= 0) || Double.isInfinite(x)) {
                throw new BadInputException(option + " '" + v + "': a tolerance is a finite number, 0 or more");
            }
            if (name == null) {
                all = x;
            } else {
                byName.put(name, x);
            }
        }
        return all;
    }

    static Map<String, DiffInputs.Given> readInputs(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("cannot read the inputs file " + file + ": no such file");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException("the inputs file " + file + " is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException("the inputs file " + file + " must hold an object of inputs by name");
        }
        Map<String, DiffInputs.Given> given = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode shape = e.getValue().get("shape");
            JsonNode data = e.getValue().get("data");
            if (shape == null || !shape.isArray() || data == null || !data.isArray()) {
                throw new BadInputException("input '" + e.getKey() + "' in " + file
                        + " needs \"shape\": [..] and \"data\": [..] (flat, row-major)");
            }
            long[] s = new long[shape.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = shape.get(i).asLong();
            }
            double[] d = new double[data.size()];
            for (int i = 0; i < d.length; i++) {
                if (!data.get(i).isNumber()) {
                    throw new BadInputException("input '" + e.getKey() + "' in " + file + ": element " + i
                            + " is not a number");
                }
                d[i] = data.get(i).asDouble();
            }
            given.put(e.getKey(), new DiffInputs.Given(s, d));
        }
        return given;
    }

    private static void print(PrintWriter out, ModelDiff.Report r) {
        out.printf("diff %s%n  vs %s (%s)%ninputs: %s%n%n", r.a(), r.b(), r.device(), String.join(", ", r.inputs()));
        out.printf("%-28s %-4s %-10s %-10s %-10s %-10s %-10s %s%n", "output", "", "max abs", "max rel", "mean abs",
                "p99 abs", "exceeding", "tolerance");
        for (OutputDiff d : r.outputs()) {
            out.printf("%-28s %-4s %-10s %-10s %-10s %-10s %-10s %s%n", d.name(), d.passed() ? "PASS" : "FAIL",
                    num(d.maxAbs()), num(d.maxRel()), num(d.meanAbs()), num(d.p99Abs()), d.exceeding() + "/" + d.count(),
                    d.tolerance());
        }
        for (OutputDiff d : r.outputs()) {
            if (d.problem() != null) {
                out.printf("%s: %s%n", d.name(), d.problem());
            } else if (d.first() != null) {
                out.printf("%s: first out of tolerance at %s: A %s, B %s%n", d.name(), Arrays.toString(d.first()),
                        d.firstA(), d.firstB());
            }
        }
        if (!r.onlyInA().isEmpty() || !r.onlyInB().isEmpty()) {
            out.printf("not compared: only in A %s, only in B %s%n", r.onlyInA(), r.onlyInB());
        }
        out.printf("result: %s%n", r.passed() ? "PASSED" : "FAILED");
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : v == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);
    }

    static Map<String, Object> document(ModelDiff.Report r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA);
        doc.put("a", r.a());
        doc.put("b", r.b());
        doc.put("device", r.device());
        doc.put("passed", r.passed());
        doc.put("inputs", r.inputs());
        List<Object> outs = new ArrayList<>();
        for (OutputDiff d : r.outputs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("dtype", d.dtype());
            m.put("shape", d.shape());
            m.put("passed", d.passed());
            m.put("atol", d.tolerance().absolute());
            m.put("rtol", d.tolerance().relative());
            m.put("count", d.count());
            m.put("exceeding", d.exceeding());
            m.put("max_abs", finite(d.maxAbs()));
            m.put("max_rel", finite(d.maxRel()));
            m.put("mean_abs", finite(d.meanAbs()));
            m.put("p99_abs", finite(d.p99Abs()));
            if (d.first() != null) {
                Map<String, Object> first = new LinkedHashMap<>();
                first.put("index", d.first());
                first.put("a", finite(d.firstA()));
                first.put("b", finite(d.firstB()));
                m.put("first_exceeding", first);
            } else {
                m.put("first_exceeding", null);
            }
            m.put("problem", d.problem());
            outs.add(m);
        }
        doc.put("outputs", outs);
        doc.put("only_in_a", r.onlyInA());
        doc.put("only_in_b", r.onlyInB());
        return doc;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : Double.isNaN(v) ? null : (v > 0 ? "inf" : "-inf");
    }
}
