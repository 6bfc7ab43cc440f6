package dev.sinkfix.surgery;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real exported model in the repository's testdata/models, read-only: tests copy it before changing anything. */
public final class SharedModels {
    private SharedModels() {
    }

    public static Path tinyLlamaGenaiFp16() {
        String shared = System.getProperty("sinkfix.shared", "../testdata");
        Path model = Path.of(shared, "models", "tiny-random-llama-genai-fp16", "model.onnx").toAbsolutePath().normalize();
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("the shared real export is missing at " + model
                    + " (the build passes the repository's testdata/ folder as -Dsinkfix.shared)");
        }
        return model;
    }
}
