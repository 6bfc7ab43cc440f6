package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.ExportConfig;
import dev.sinkfix.surgery.match.Family;
import dev.sinkfix.surgery.match.RotaryTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Whether a model is the one a preset's neuron ids were found in, by every piece of evidence
 * there is: the shapes the graph has (layers, hidden, intermediate, heads, KV heads, vocabulary),
 * what the export says of itself (config.json, genai_config.json: family, the same sizes, the
 * context length) and the rotary table's length. Each fact either fits, differs, or is not said;
 * one that differs is a clear mismatch and the preset is refused, naming it.
 */
public final class PresetEvidence {
    private PresetEvidence() {
    }

    public enum Verdict { FITS, DIFFERS, NOT_SAID }

    /** One fact: {@code found} is -1 or null where the source does not say. */
    public record Fact(String what, String source, String found, String expected, Verdict verdict) {
        public String describe() {
            return switch (verdict) {
                case FITS -> what + " " + found + " (" + source + ")";
                case DIFFERS -> what + " " + found + " (" + source + "), the preset's model has " + expected;
                case NOT_SAID -> what + " (" + source + " does not say)";
            };
        }
    }

    /** Everything checked for one preset. */
    public record Fit(Preset preset, List<Fact> facts) {
        public List<Fact> with(Verdict v) {
            return facts.stream().filter(f -> f.verdict() == v).toList();
        }

        public boolean fits() {
            return with(Verdict.DIFFERS).isEmpty();
        }

        /** Refuses, in one line, a model that differs from the preset's in any fact. */
        public void requireFits() {
            if (!fits()) {
                throw new BadInputException("preset " + preset.id() + " does not fit this model: "
                        + with(Verdict.DIFFERS).stream().map(Fact::describe).collect(Collectors.joining("; "))
                        + " (to patch layer " + preset.layer() + " neurons " + join(preset.neurons())
                        + " anyway, give --layer " + preset.layer() + " --neurons " + join(preset.neurons()) + ")");
            }
        }
    }

    public static Fit check(Preset preset, Model model, Decoder decoder) {
        Preset.Shape want = preset.shape();
        List<Fact> facts = new ArrayList<>();
        List<ExportConfig> configs = ExportConfig.read(model.baseDir());
        facts.add(family(want.family(), decoder, configs));

        String graph = "graph";
        size(facts, "layers", graph, decoder.layers().size(), want.layers());
        size(facts, "hidden size", graph, decoder.hiddenSize(), want.hiddenSize());
        size(facts, "intermediate size", graph, decoder.intermediateSize(), want.intermediateSize());
        size(facts, "heads", graph, decoder.heads(), want.heads());
        size(facts, "kv heads", graph, decoder.kvHeads(), want.kvHeads());
        size(facts, "vocabulary", graph, decoder.vocabSize(), want.vocabSize());
        RotaryTable table = RotaryTable.find(model, decoder.positionIds());
        size(facts, "context", table == null ? "rotary table" : "rotary table " + table.tensor(),
                table == null ? -1 : table.length(), want.context());

        for (ExportConfig c : configs) {
            size(facts, "layers", c.file(), c.layers(), want.layers());
            size(facts, "hidden size", c.file(), c.hiddenSize(), want.hiddenSize());
            size(facts, "intermediate size", c.file(), c.intermediateSize(), want.intermediateSize());
            size(facts, "heads", c.file(), c.heads(), want.heads());
            size(facts, "kv heads", c.file(), c.kvHeads(), want.kvHeads());
            size(facts, "vocabulary", c.file(), c.vocabSize(), want.vocabSize());
            size(facts, "context", c.file(), c.maxPositions(), want.context());
        }
        return new Fit(preset, List.copyOf(facts));
    }

    /**
     * The family by the strongest word there is: a configuration file's model type, else a graph
     * or metadata that names Mistral. A Llama layout with nothing said is not evidence either way.
     */
    private static Fact family(Family want, Decoder decoder, List<ExportConfig> configs) {
        String expected = want.name().toLowerCase(Locale.ROOT);
        ExportConfig typed = ExportConfig.firstWithType(configs);
        if (typed != null) {
            String type = typed.modelType().toLowerCase(Locale.ROOT);
            return new Fact("family", typed.file(), type, expected, type.equals(expected) ? Verdict.FITS : Verdict.DIFFERS);
        }
        if (decoder.family() == Family.MISTRAL) {
            return new Fact("family", decoder.familyEvidence(), "mistral", expected,
                    want == Family.MISTRAL ? Verdict.FITS : Verdict.DIFFERS);
        }
        return new Fact("family", "the export", null, expected, Verdict.NOT_SAID);
    }

    private static void size(List<Fact> facts, String what, String source, long found, long expected) {
        facts.add(found < 0 ? new Fact(what, source, null, Long.toString(expected), Verdict.NOT_SAID)
                : new Fact(what, source, Long.toString(found), Long.toString(expected),
                        found == expected ? Verdict.FITS : Verdict.DIFFERS));
    }

    private static String join(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
