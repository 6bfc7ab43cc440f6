package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Llama, Mistral or another family. The two share one layout, so the graph alone rarely decides:
 * the guess reads what the export says of itself (genai_config.json or Hugging Face config.json
 * beside the model, metadata, producer and doc strings) and a sliding attention window, and
 * reports which of these it used. A configuration file that names another family (qwen2, phi3,
 * gemma, ...) is taken at its word: {@link Family#OTHER}, with the type in the evidence.
 */
record FamilyGuess(Family family, String evidence) {
    static FamilyGuess of(Model model, List<DecoderLayer> layers, long heads, long kvHeads) {
        ExportConfig config = ExportConfig.firstWithType(ExportConfig.read(model.baseDir()));
        if (config != null) {
            Family f = Family.ofModelType(config.modelType());
            String key = config.file().equals(ExportConfig.GENAI) ? "type" : "model_type";
            return new FamilyGuess(f, config.file() + " says " + key + " \"" + config.modelType() + "\""
                    + (f == Family.OTHER ? ": not Llama or Mistral, though its graph has their layout" : ""));
        }
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            String text = (e.getKey() + " " + e.getValue()).toLowerCase(Locale.ROOT);
            if (text.contains("mistral")) {
                return guess(Family.MISTRAL, "metadata " + e.getKey() + " mentions Mistral");
            }
        }
        String self = (model.docString() + " " + model.graph().name() + " " + model.producer())
                .toLowerCase(Locale.ROOT);
        if (self.contains("mistral")) {
            return guess(Family.MISTRAL, "the model's name or doc string mentions Mistral");
        }
        for (DecoderLayer l : layers) {
            Node core = l.attention().core();
            if (core.intAttribute("local_window_size", -1) > 0) {
                return guess(Family.MISTRAL, "sliding-window attention (local_window_size "
                        + core.intAttribute("local_window_size", -1) + ")");
            }
        }
        String gqa = heads > 0 && kvHeads > 0 && kvHeads < heads
                ? "; grouped-query attention fits Llama 3 and Mistral alike" : "";
        return guess(Family.LLAMA, "Llama layout and nothing in the export names Mistral" + gqa);
    }

    private static FamilyGuess guess(Family f, String evidence) {
        return new FamilyGuess(f, evidence);
    }
}
