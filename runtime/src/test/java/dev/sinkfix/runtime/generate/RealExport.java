package dev.sinkfix.runtime.generate;

import java.nio.file.Files;
import java.nio.file.Path;

/** The one real export in the repository's testdata/models, as the build passes it in {@code sinkfix.shared}. */
public final class RealExport {
    private RealExport() {}

    public static Path folder() {
        String shared = System.getProperty("sinkfix.shared", "../testdata");
        Path dir = Path.of(shared, "models", "tiny-random-llama-genai-fp16").toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
            throw new IllegalStateException("the real export is missing at " + dir
                    + " (the build passes the repository's testdata/ folder as -Dsinkfix.shared)");
        }
        return dir;
    }

    public static Path model() {
        return folder().resolve("model.onnx");
    }
}
