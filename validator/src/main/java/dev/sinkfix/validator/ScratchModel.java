package dev.sinkfix.validator;

import com.google.protobuf.CodedOutputStream;
import dev.sinkfix.surgery.io.Scratch;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A rewritten copy of a model in a temporary folder, for one session: taps added on the fly
 * leave the user's files as they are. External data is reached through hard links to the
 * original files (copies where the temporary folder is on another file system), so nothing is
 * read. Closing deletes the folder, never the files the links point at, and so does the end of
 * the process (Ctrl-C included) when it was not closed ({@link Scratch}).
 */
public final class ScratchModel implements AutoCloseable {
    private final Path dir;
    private final Path file;

    private ScratchModel(Path dir, Path file) {
        this.dir = dir;
        this.file = file;
    }

    public static ScratchModel of(Model model) throws IOException {
        Path dir = Scratch.newFolder();
        try {
            Set<String> locations = new LinkedHashSet<>();
            for (Value v : model.graph().initializers()) {
                Tensor.ExternalRef ref = v.initializer().external();
                if (ref != null) {
                    locations.add(ref.location());
                }
            }
            for (String location : locations) {
                Path link = dir.resolve(location).normalize();
                Files.createDirectories(link.getParent());
                // ONNX Runtime 1.29 refuses external data that resolves outside the model's folder, so
                // a symbolic link will not do: a hard link costs nothing, a copy only across file systems.
                Path data = model.baseDir().resolve(location).toRealPath();
                try {
                    Files.createLink(link, data);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(data, link);
                }
            }
            // A private, short-lived copy: written straight, without the fsync and rename that
            // ModelSaver spends on files people keep (flushing 0.5 GB of inline weights costs seconds).
            Path file = dir.resolve("model.onnx");
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
                CodedOutputStream coded = CodedOutputStream.newInstance(out, 1 << 20);
                ModelExporter.export(model).writeTo(coded);
                coded.flush();
            }
            return new ScratchModel(dir, file);
        } catch (IOException | RuntimeException e) {
            Scratch.release(dir);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        Scratch.release(dir);
    }
}
