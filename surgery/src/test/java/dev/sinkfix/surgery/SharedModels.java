package dev.sinkfix.surgery;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real exported model in ../shared/models, read-only: tests copy it before changing anything. */
public final class SharedModels {
    private SharedModels() {
    }

    public static Path tinyLlamaGenaiFp16() {
        String shared = System.getProperty("sinkfix.shared", "../../shared");
        Path model = Path.of(shared, "models", "tiny-random-llama-genai-fp16", "model.onnx").toAbsolutePath().normalize();
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("the shared real export is missing at " + model
                    + " (tests expect the shared/ folder beside the checkout)");
        }
        return model;
    }
}
