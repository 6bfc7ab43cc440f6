package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Llama or Mistral. The two share one layout, so the graph alone rarely decides: the guess
 * reads what the export says of itself (genai_config.json or Hugging Face config.json beside the model, metadata, producer
 * and doc strings) and a sliding attention window, and reports which of these it used.
 */
record FamilyGuess(Family family, String evidence) {
    private static final Pattern GENAI_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([A-Za-z0-9_-]+)\"");
    private static final Pattern HF_TYPE = Pattern.compile("\"model_type\"\\s*:\\s*\"([A-Za-z0-9_-]+)\"");

    static FamilyGuess of(Model model, List<DecoderLayer> layers, long heads, long kvHeads) {
        for (String[] source : new String[][] {{"genai_config.json", "type"}, {"config.json", "model_type"}}) {
            String type = configType(model, source[0], source[0].startsWith("genai") ? GENAI_TYPE : HF_TYPE);
            if (type != null) {
                Family f = type.toLowerCase(Locale.ROOT).contains("mistral") ? Family.MISTRAL : Family.LLAMA;
                return new FamilyGuess(f, source[0] + " says " + source[1] + " \"" + type + "\"");
            }
        }
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            String text = (e.getKey() + " " + e.getValue()).toLowerCase(Locale.ROOT);
            if (text.contains("mistral")) {
                return new FamilyGuess(Family.MISTRAL, "metadata " + e.getKey() + " mentions Mistral");
            }
        }
        String self = (model.docString() + " " + model.graph().name() + " " + model.producer())
                .toLowerCase(Locale.ROOT);
        if (self.contains("mistral")) {
            return new FamilyGuess(Family.MISTRAL, "the model's name or doc string mentions Mistral");
        }
        for (DecoderLayer l : layers) {
            Node core = l.attention().core();
            if (core.intAttribute("local_window_size", -1) > 0) {
                return new FamilyGuess(Family.MISTRAL, "sliding-window attention (local_window_size "
                        + core.intAttribute("local_window_size", -1) + ")");
            }
        }
        String gqa = heads > 0 && kvHeads > 0 && kvHeads < heads
                ? "; grouped-query attention fits Llama 3 and Mistral alike" : "";
        return new FamilyGuess(Family.LLAMA, "Llama layout and nothing in the export names Mistral" + gqa);
    }

    /** The type a small config file beside the model names, or null. */
    private static String configType(Model model, String file, Pattern pattern) {
        if (model.baseDir() == null) {
            return null;
        }
        Path config = model.baseDir().resolve(file);
        try {
            if (!Files.isRegularFile(config) || Files.size(config) > (1 << 20)) {
                return null;
            }
            Matcher m = pattern.matcher(Files.readString(config));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
