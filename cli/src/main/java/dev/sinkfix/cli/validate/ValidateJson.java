package dev.sinkfix.cli.validate;

import dev.sinkfix.validator.PatchedLayer;
import dev.sinkfix.validator.validate.CheckResult;
import dev.sinkfix.validator.validate.DynamicQuantization;
import dev.sinkfix.validator.validate.Effects;
import dev.sinkfix.validator.validate.Prompt;
import dev.sinkfix.validator.validate.ValidationReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report as a JSON document, schema {@value #SCHEMA} (documented in
 * validator/VALIDATE-REPORT.md). Built key by key so the schema does not follow the Java records
 * when they change; new keys may be added, none renamed or removed, without a new schema number.
 */
public final class ValidateJson {
    public static final String SCHEMA = "onnx-sinkfix/validate/1";

    private ValidateJson() {
    }

    public static Map<String, Object> document(ValidationReport r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA);
        doc.put("original", r.original());
        doc.put("patched", r.patched());
        doc.put("device", r.device());
        doc.put("bos", r.bos());
        doc.put("bos_source", r.bosSource());
        if (r.quantization() != null) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("kind", "dynamic");
            q.put("dynamic_quantize_nodes", r.quantization().nodes());
            double own = r.quantization().ownAcrossCalls();
            q.put("original_across_calls", Double.isNaN(own) ? null : own);
            q.put("factor", DynamicQuantization.FACTOR);
            q.put("checks", List.of(1, 2));
            doc.put("quantization", q);
        } else {
            doc.put("quantization", null);
        }
        doc.put("passed", r.passed());
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("source", r.patchSource().equals("metadata") ? "metadata" : "command-line");
        List<Object> layers = new ArrayList<>();
        for (PatchedLayer l : r.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", l.layer());
            m.put("site", l.site().cliName());
            m.put("neurons", l.neurons());
            m.put("capture_position", l.capturePosition());
            m.put("site_tensor", l.siteTensor());
            m.put("patched_tensor", l.patchedTensor());
            m.put("state_input", l.stateInput());
            m.put("state_output", l.stateOutput());
            layers.add(m);
        }
        patch.put("layers", layers);
        doc.put("patch", patch);
        List<Object> prompts = new ArrayList<>();
        for (Prompt p : r.prompts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("source", ValidateText.promptSource(p));
            m.put("rows", p.batch().rows());
            m.put("tokens", p.batch().columns());
            m.put("prefill", p.prefix());
            prompts.add(m);
        }
        doc.put("prompts", prompts);
        List<Object> checks = new ArrayList<>();
        for (CheckResult c : r.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("name", c.name());
            m.put("status", c.status().id());
            m.put("figure", Double.isFinite(c.figure()) ? c.figure() : null);
            m.put("tolerance", c.tolerance());
            m.put("compared", c.compared());
            m.put("mismatches", c.mismatches());
            m.put("detail", c.detail());
            m.put("run_failures", c.runFailures());
            checks.add(m);
        }
        doc.put("checks", checks);
        Effects e = r.effects();
        Map<String, Object> effects = new LinkedHashMap<>();
        Map<String, Object> greedy = new LinkedHashMap<>();
        greedy.put("tokens", e.positions());
        greedy.put("agree", e.agree());
        greedy.put("tokens_after_capture", e.positionsAfterCapture());
        greedy.put("agree_after_capture", e.agreeAfterCapture());
        effects.put("greedy_agreement", greedy);
        if (e.norms() != null) {
            Effects.Norms n = e.norms();
            Map<String, Object> norms = new LinkedHashMap<>();
            norms.put("layer", n.layer());
            norms.put("token", n.token());
            norms.put("repeats", n.repeats());
            norms.put("bos", n.bos());
            norms.put("typical", n.typical());
            norms.put("repeated_median_original", n.runOriginal());
            norms.put("repeated_median_patched", n.runPatched());
            norms.put("repeated_last_original", n.lastOriginal());
            norms.put("repeated_last_patched", n.lastPatched());
            effects.put("residual_norms", norms);
        } else {
            effects.put("residual_norms", null);
            effects.put("residual_norms_unavailable", e.normsUnavailable());
        }
        doc.put("effects", effects);
        ValidationReport.Timings t = r.timings();
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("total", t.total());
        timings.put("sessions", t.sessions());
        timings.put("runs", t.runs());
        timings.put("comparisons", t.comparisons());
        timings.put("repeat_task", t.probe());
        doc.put("seconds", timings);
        return doc;
    }
}
