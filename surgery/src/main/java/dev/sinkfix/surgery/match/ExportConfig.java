package dev.sinkfix.surgery.match;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an export says of itself in the configuration file beside the model: the Hugging Face
 * {@code config.json} or onnxruntime-genai's {@code genai_config.json}. Sizes are -1 where the
 * file does not say; {@code modelType} is the file's own word ({@code llama}, {@code mistral},
 * {@code qwen2}, ...), or null.
 */
public record ExportConfig(String file, String modelType, long hiddenSize, long layers, long intermediateSize,
                           long vocabSize, long heads, long kvHeads, long maxPositions) {
    public static final String HF = "config.json";
    public static final String GENAI = "genai_config.json";
    private static final long MAX_BYTES = 1 << 20;
    private static final Pattern MODEL_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** The configuration files beside a model, genai first; unreadable or oversized files are left out. */
    public static List<ExportConfig> read(Path modelDir) {
        List<ExportConfig> found = new ArrayList<>();
        if (modelDir == null) {
            return found;
        }
        Map<?, ?> genai = tree(modelDir.resolve(GENAI));
        if (genai != null && genai.get("model") instanceof Map) {
            Map<?, ?> m = object(genai, "model");
            Map<?, ?> d = object(m, "decoder");
            found.add(new ExportConfig(GENAI, text(m, "type"), size(d, "hidden_size"), size(d, "num_hidden_layers"),
                    size(d, "intermediate_size"), size(m, "vocab_size"), size(d, "num_attention_heads"),
                    size(d, "num_key_value_heads"), size(m, "context_length")));
        }
        Map<?, ?> hf = tree(modelDir.resolve(HF));
        if (hf != null) {
            // Multimodal configs keep the language model's sizes under text_config.
            Map<?, ?> t = hf.containsKey("hidden_size") || !(hf.get("text_config") instanceof Map) ? hf
                    : object(hf, "text_config");
            found.add(new ExportConfig(HF, text(hf, "model_type"), size(t, "hidden_size"), size(t, "num_hidden_layers"),
                    size(t, "intermediate_size"), size(t, "vocab_size"), size(t, "num_attention_heads"),
                    size(t, "num_key_value_heads"), size(t, "max_position_embeddings")));
        }
        return found;
    }

    /** The first model type any configuration file names, or null. */
    public static ExportConfig firstWithType(List<ExportConfig> configs) {
        return configs.stream().filter(c -> c.modelType() != null).findFirst().orElse(null);
    }

    private static Map<?, ?> tree(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
                return null;
            }
            return ConfigJson.read(file) instanceof Map<?, ?> m ? m : null;
        } catch (IOException | RuntimeException e) {
            return null; // a configuration file that does not parse says nothing
        }
    }

    /** A model type as configs write them ({@code llama}, {@code qwen2_moe}); anything else says nothing. */
    private static String text(Map<?, ?> n, String key) {
        return n.get(key) instanceof String v && MODEL_TYPE.matcher(v).matches() ? v : null;
    }

    private static long size(Map<?, ?> n, String key) {
        return n.get(key) instanceof Long v && v > 0 ? v : -1;
    }

    private static Map<?, ?> object(Map<?, ?> n, String key) {
        return n.get(key) instanceof Map<?, ?> m ? m : Map.of();
    }
}
