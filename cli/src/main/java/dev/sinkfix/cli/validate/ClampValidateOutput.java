package dev.sinkfix.cli.validate;

import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.validator.clamp.ClampCheck;
import dev.sinkfix.validator.clamp.ClampReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code validate}'s table and JSON document for a clamp-mode model. */
public final class ClampValidateOutput {
    public static final String SCHEMA = "onnx-sinkfix/validate-clamp/1";

    private ClampValidateOutput() {
    }

    public static void print(PrintWriter out, ClampReport r) {
        out.printf("validate %s against %s (mode clamp, device %s)%n", r.patched(), r.original(), r.device());
        for (ClampReport.Layer l : r.layers()) {
            StringBuilder ranges = new StringBuilder();
            for (int k = 0; k < l.neurons().size(); k++) {
                ranges.append(k == 0 ? "" : ", ").append(l.neurons().get(k)).append(" in ")
                        .append(l.ranges().get(k).text());
            }
            out.printf("  layer %d, site %s, capture position %d: %s%n", l.layer(), l.site(), l.capturePosition(), ranges);
        }
        out.printf("  prompts: %s%n", String.join(", ", r.prompts()));
        for (ClampCheck c : r.checks()) {
            out.printf("  [%s] %-9s %s (%d compared, %d failed)%n", c.passed() ? "pass" : "FAIL", c.id(), c.name(),
                    c.compared(), c.failures());
            c.firstFailures().forEach(f -> out.printf("        %s%n", f));
        }
        out.printf(Locale.ROOT, "  clamp changed %d of %d chosen-neuron values after the capture position (%.2f%%); "
                        + "greedy tokens agree with the original at %d of %d positions%n", r.clampedValues(),
                r.clampSlots(), 100.0 * r.clampedValues() / Math.max(1, r.clampSlots()), r.greedyAgree(),
                r.greedyCompared());
        out.println(r.passed() ? "all checks passed" : "a check FAILED");
    }

    public static Map<String, Object> document(ClampReport r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA);
        doc.put("original", r.original());
        doc.put("patched", r.patched());
        doc.put("mode", "clamp");
        doc.put("device", r.device());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (ClampReport.Layer l : r.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", l.layer());
            m.put("site", l.site());
            m.put("capture_position", l.capturePosition());
            List<Map<String, Object>> ranges = new ArrayList<>();
            for (int k = 0; k < l.neurons().size(); k++) {
                NeuronRange range = l.ranges().get(k);
                ranges.add(Map.of("neuron", l.neurons().get(k), "lo", range.lo(), "hi", range.hi()));
            }
            m.put("ranges", ranges);
            m.put("range_source", l.source());
            layers.add(m);
        }
        doc.put("layers", layers);
        doc.put("prompts", r.prompts());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (ClampCheck c : r.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("name", c.name());
            m.put("passed", c.passed());
            m.put("compared", c.compared());
            m.put("failures", c.failures());
            m.put("first_failures", c.firstFailures());
            checks.add(m);
        }
        doc.put("checks", checks);
        doc.put("clamped_values", r.clampedValues());
        doc.put("clamp_slots", r.clampSlots());
        doc.put("greedy_agree", r.greedyAgree());
        doc.put("greedy_compared", r.greedyCompared());
        doc.put("passed", r.passed());
        return doc;
    }
}
