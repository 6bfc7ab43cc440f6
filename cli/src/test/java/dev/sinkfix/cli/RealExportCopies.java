package dev.sinkfix.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Copies of the shared real export laid out as people receive them: graph-only, or in the hub cache. */
final class RealExportCopies {
    static final Path REAL = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16");
    private static final List<String> SIDE_FILES = List.of("genai_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json");

    private RealExportCopies() {
    }

    /** {@code dir/model.onnx} and its side files, without {@code model.onnx.data}. */
    static Path graphOnly(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : SIDE_FILES) {
            Files.copy(REAL.resolve(f), dir.resolve(f));
        }
        return Files.copy(REAL.resolve("model.onnx"), dir.resolve("model.onnx"));
    }

    /**
     * {@code root/models--org--tiny/snapshots/REV/}: every file a relative link into
     * {@code ../../blobs/HASH}, as huggingface_hub writes them. Returns the snapshot's model.onnx.
     */
    static Path hubCache(Path root) throws IOException {
        Path repo = root.resolve("models--org--tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve("5f1e0c2a"));
        int n = 0;
        for (String f : concat(List.of("model.onnx", "model.onnx.data"), SIDE_FILES)) {
            String blob = "blob" + n++;
            Files.copy(REAL.resolve(f), blobs.resolve(blob));
            Files.createSymbolicLink(snapshot.resolve(f), Path.of("..", "..", "blobs", blob));
        }
        return snapshot.resolve("model.onnx");
    }

    /** The hub copy whose data link is bent to a file outside the repository's blobs. */
    static Path hostileHubCache(Path root) throws IOException {
        Path model = hubCache(root);
        Path outside = Files.createDirectories(root.resolve("outside"));
        Path link = model.resolveSibling("model.onnx.data");
        Files.move(link.toRealPath(), outside.resolve("weights.bin"));
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("..", "..", "..", "outside", "weights.bin"));
        return model;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
