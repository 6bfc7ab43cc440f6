package dev.sinkfix.validator;

import dev.sinkfix.samples.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The unpatched models the tests start from, each written or copied once per test run into a
 * scratch folder: the sample presets, and a copy of the real export (read-only where it lives;
 * nothing is ever written beside it).
 */
final class SourceModels {
    static final String REAL = "tiny-random-llama-genai-fp16";
    private static final Map<String, Path> WRITTEN = new HashMap<>();

    private SourceModels() {
    }

    /** The {@code model.onnx} of {@code name} (a preset or {@link #REAL}) under {@code scratch}. */
    static synchronized Path model(String name, Path scratch) throws IOException {
        Path known = WRITTEN.get(name);
        if (known != null && Files.isRegularFile(known)) {
            return known;
        }
        Path dir = scratch.resolve("source").resolve(name.replaceAll("[^A-Za-z0-9.-]", "_"));
        Files.createDirectories(dir);
        Path model = name.equals(REAL) ? copyReal(dir) : variantOrSample(name, dir);
        WRITTEN.put(name, model);
        return model;
    }

    private static Path variantOrSample(String name, Path dir) throws IOException {
        for (PositionInputs.Variant v : PositionInputs.Variant.values()) {
            String suffix = PatchCase.label(v);
            if (name.endsWith(suffix)) {
                return PositionInputs.write(name.substring(0, name.length() - suffix.length()), v, dir);
            }
        }
        return Samples.write(name, dir);
    }

    /** The real export's folder, as the build passes it in {@code sinkfix.shared}. */
    static Path realFolder() {
        String shared = System.getProperty("sinkfix.shared", "../testdata");
        Path dir = Path.of(shared, "models", REAL).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
            throw new IllegalStateException("the real export is missing at " + dir
                    + " (the build passes the repository's testdata/ folder as -Dsinkfix.shared)");
        }
        return dir;
    }

    private static Path copyReal(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(realFolder())) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    Files.copy(f, dir.resolve(f.getFileName()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return dir.resolve("model.onnx");
    }
}
