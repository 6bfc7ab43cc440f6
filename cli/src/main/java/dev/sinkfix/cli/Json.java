package dev.sinkfix.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one JSON writer of every command's document. The project's convention: keys are snake_case
 * (like Hugging Face's config.json and genai_config.json), so a record component {@code kvHeads}
 * is written {@code kv_heads}; map keys (tensor names, opset domains, metadata keys) are data and
 * stay as they are. A holder class, so that a command that prints no JSON never loads Jackson.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static String write(Object document) throws JsonProcessingException {
        return MAPPER.writeValueAsString(document);
    }
}
