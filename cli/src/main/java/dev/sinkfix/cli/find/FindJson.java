package dev.sinkfix.cli.find;

import dev.sinkfix.validator.find.CandidateCheck;
import dev.sinkfix.validator.find.FindReport;
import dev.sinkfix.validator.find.LayerEvidence;
import dev.sinkfix.validator.find.NeuronEvidence;
import dev.sinkfix.validator.find.PresetCheck;
import dev.sinkfix.validator.find.RepeatFigure;
import dev.sinkfix.validator.find.SinkAnswer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code onnx-sinkfix/find/1} document (FIND.md has the schema), keys in snake_case like
 * every JSON document of the project. Built field by field so the keys do not follow Java names.
 */
public final class FindJson {
    public static final String SCHEMA = "onnx-sinkfix/find/1";

    private FindJson() {
    }

    public static Map<String, Object> document(FindReport r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA);
        doc.put("model", r.model());
        doc.put("provider", r.provider());
        doc.put("verdict", r.verdict());
        doc.put("reason", r.reason());
        doc.put("sink", sink(r.sink()));
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("layers", r.window());
        rule.put("sink_factor", r.sinkFactor());
        rule.put("notebook_threshold", number(r.notebookThreshold()));
        rule.put("notebook_layer", r.notebookLayer());
        rule.put("ordinary_below", r.ordinaryBelow() == null ? null : number(r.ordinaryBelow()));
        doc.put("rule", rule);
        List<Object> layers = new ArrayList<>();
        for (LayerEvidence l : r.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", l.layer());
            m.put("bos_resid_norm", number(l.bosResidNorm()));
            m.put("typical_resid_norm", number(l.typicalResidNorm()));
            m.put("bos_mlp_norm", number(l.bosMlpNorm()));
            m.put("typical_mlp_norm", number(l.typicalMlpNorm()));
            m.put("outlier_threshold", number(l.outlierThreshold()));
            m.put("stands_out", l.standsOut());
            m.put("extreme", l.extreme());
            m.put("write_norms", l.writeNote());
            List<Object> neurons = new ArrayList<>();
            for (NeuronEvidence n : l.neurons()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("neuron", n.neuron());
                e.put("bos", number(n.bos()));
                e.put("typical", number(n.typical()));
                e.put("ratio", number(n.ratio()));
                e.put("write_norm", number(n.writeNorm()));
                e.put("score", number(n.score()));
                if (n.repeat() != null) {
                    e.put("repeat", number(n.repeat()));
                    e.put("repeat_score", number(n.repeatScore()));
                }
                neurons.add(e);
            }
            m.put("neurons", neurons);
            layers.add(m);
        }
        doc.put("layers", layers);
        List<Object> candidates = new ArrayList<>();
        for (CandidateCheck c : r.candidates()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("neuron", c.neuron());
            m.put("score", number(c.score()));
            m.put("repeat_score", number(c.repeatScore()));
            m.put("bos_norm_zeroed_alone", number(c.bosNormZeroedAlone()));
            m.put("kept", c.kept());
            m.put("why", c.why());
            candidates.add(m);
        }
        doc.put("candidates", candidates);
        List<Object> repeats = new ArrayList<>();
        for (RepeatFigure f : r.repeats()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("token", f.token());
            m.put("length", f.length());
            m.put("bos_norm", number(f.bosNorm()));
            m.put("original", f.original());
            m.put("original_last_norm", number(f.lastOriginal()));
            m.put("patched", f.patched());
            m.put("patched_last_norm", f.lastPatched() == null ? null : number(f.lastPatched()));
            repeats.add(m);
        }
        doc.put("repeats", repeats);
        List<Object> presets = new ArrayList<>();
        for (PresetCheck p : r.presets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("preset", p.preset());
            m.put("layer", p.layer());
            m.put("neurons", p.neurons());
            m.put("agrees", p.agrees());
            m.put("note", p.note());
            presets.add(m);
        }
        doc.put("presets", presets);
        doc.put("notes", r.notes());
        return doc;
    }

    private static Map<String, Object> sink(SinkAnswer a) {
        if (a == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", a.layer());
        m.put("site", a.site().cliName());
        m.put("neurons", a.neurons());
        m.put("command", a.command());
        m.put("clamp_command", a.clampCommand());
        m.put("bos_norm_zeroed", number(a.bosNormAllZeroed()));
        m.put("climb_stopped", a.climbStopped());
        return m;
    }

    /** JSON has no NaN or infinity: those become null. */
    private static Object number(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
