package dev.sinkfix.surgery.match;

import java.util.Locale;

/**
 * The model family. Mistral shares Llama's layout; {@code OTHER} is a decoder with that layout
 * whose export names another family (Qwen2, Phi3, Gemma, ...): reported by its own name, patched
 * only where the user names the neurons (the presets are Llama's and Mistral's).
 */
public enum Family {
    LLAMA, MISTRAL, OTHER;

    /** The family a configuration file's model type names. */
    static Family ofModelType(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "llama" -> LLAMA;
            case "mistral" -> MISTRAL;
            default -> OTHER;
        };
    }
}
