package dev.sinkfix.runtime.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.surgery.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What sits beside a model: {@code tokenizer.json}, and the special ids of onnxruntime-genai's
 * {@code genai_config.json}, Hugging Face's {@code tokenizer_config.json} and {@code config.json}
 * (which optimum exports copy). Any may be absent: token ids always work without them.
 */
public final class ModelFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path model;
    private final Path folder;
    private final JsonNode genai;
    private final JsonNode tokenizerConfig;
    private final JsonNode hfConfig;

    private ModelFolder(Path model, JsonNode genai, JsonNode tokenizerConfig, JsonNode hfConfig) {
        this.model = model;
        this.folder = model.toAbsolutePath().getParent();
        this.genai = genai;
        this.tokenizerConfig = tokenizerConfig;
        this.hfConfig = hfConfig;
    }

    /**
     * The folder of {@code model}: a {@code .onnx} file, or a folder holding {@code model.onnx}.
     *
     * @throws BadInputException when there is no such model, or a config file is not JSON
     */
    public static ModelFolder of(Path model) {
        Path file = Files.isDirectory(model) ? model.resolve("model.onnx") : model;
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("cannot read the model " + model + ": "
                    + (Files.isDirectory(model) ? "the folder has no model.onnx" : "no such file"));
        }
        Path dir = file.toAbsolutePath().getParent();
        return new ModelFolder(file, readJson(dir.resolve("genai_config.json")),
                readJson(dir.resolve("tokenizer_config.json")), readJson(dir.resolve("config.json")));
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": not valid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** The {@code .onnx} file. */
    public Path model() {
        return model;
    }

    public Optional<Path> tokenizerJson() {
        Path file = folder.resolve("tokenizer.json");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** {@code model.bos_token_id} of genai_config.json. */
    public OptionalLong genaiBosId() {
        return first(ids(genai == null ? null : genai.path("model").get("bos_token_id")));
    }

    /** {@code model.eos_token_id} of genai_config.json: a number or a list of them. */
    public Set<Long> genaiEosIds() {
        return ids(genai == null ? null : genai.path("model").get("eos_token_id"));
    }

    /** {@code bos_token_id} of Hugging Face's config.json. */
    public OptionalLong configBosId() {
        return first(ids(hfConfig == null ? null : hfConfig.get("bos_token_id")));
    }

    /** {@code eos_token_id} of Hugging Face's config.json: a number or a list of them. */
    public Set<Long> configEosIds() {
        return ids(hfConfig == null ? null : hfConfig.get("eos_token_id"));
    }

    /**
     * How many positions the model was exported for: {@code model.context_length} of
     * genai_config.json, else {@code max_position_embeddings} of config.json. Past it, rotary
     * tables run out (onnxruntime-genai's RotaryEmbedding fails) or quality is undefined.
     */
    public OptionalLong contextLength() {
        OptionalLong genaiLength = first(ids(genai == null ? null : genai.path("model").get("context_length")));
        return genaiLength.isPresent() ? genaiLength
                : first(ids(hfConfig == null ? null : hfConfig.get("max_position_embeddings")));
    }

    /** Where {@link #contextLength()} comes from. */
    public String contextLengthSource() {
        return genai != null && genai.path("model").has("context_length") ? "genai_config.json" : "config.json";
    }

    /** The text of a special token in tokenizer_config.json ({@code "eos_token": "</s>"} or {"content": ...}). */
    public Optional<String> specialToken(String key) {
        if (tokenizerConfig == null || !tokenizerConfig.has(key)) {
            return Optional.empty();
        }
        JsonNode node = tokenizerConfig.get(key);
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return Optional.of(node.get("content").asText());
        }
        return Optional.empty();
    }

    private static OptionalLong first(Set<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).findFirst();
    }

    /** A non-negative id or a list of them; anything else (null, -1, text) is none. */
    private static Set<Long> ids(JsonNode node) {
        Set<Long> ids = new LinkedHashSet<>();
        if (node != null && node.isIntegralNumber() && node.asLong() >= 0) {
            ids.add(node.asLong());
        } else if (node != null && node.isArray()) {
            node.forEach(n -> {
                if (n.isIntegralNumber() && n.asLong() >= 0) {
                    ids.add(n.asLong());
                }
            });
        }
        return ids;
    }
}
