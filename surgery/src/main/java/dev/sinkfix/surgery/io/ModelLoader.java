package dev.sinkfix.surgery.io;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelImporter;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads a model by memory-mapping its file and parsing with aliasing, so weights stored inside
 * the file are never copied; weights in external data are only referenced, never read.
 */
public final class ModelLoader {
    /** protobuf cannot hold a message of 2 GiB or more. */
    static final long MAX_MODEL_FILE = Integer.MAX_VALUE;
    private static final int MAX_NESTING = 1000;

    private ModelLoader() {
    }

    /** Reads a model whose every external data file must be present and safe. */
    public static Model load(Path path) throws IOException {
        return loadAllowingMissingData(path, false).model();
    }

    /**
     * A model and the external data files it names that are absent (a graph shared without its
     * weights). With {@code allowMissing} false an absent file is refused like any other bad
     * reference ({@link MissingDataException}); hostile references are refused either way.
     */
    public static Loaded loadAllowingMissingData(Path path, boolean allowMissing) throws IOException {
        Path file = path.toAbsolutePath().normalize();
        ModelProto proto = readProto(file);
        List<String> missing = ExternalDataCheck.verifyModelFile(proto, file, allowMissing);
        return new Loaded(ModelImporter.importModel(proto, file), missing);
    }

    /** A loaded model and its absent data files, as the model names them (empty when it is whole). */
    public record Loaded(Model model, List<String> missingData) {
        public Loaded {
            missingData = List.copyOf(missingData);
        }
    }

    /**
     * Refuses, before a runtime is asked to, a model file that could not run: unreadable, with a
     * hostile data reference, or graph-only (its data file absent).
     */
    public static void requireRunnable(Path path) throws IOException {
        Path file = path.toAbsolutePath().normalize();
        ExternalDataCheck.verifyModelFile(readProto(file), file, false);
    }

    /** Parses the file into a ModelProto that aliases the mapped bytes; checks it looks like a model. */
    public static ModelProto readProto(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + " is a folder; expected an .onnx model file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("model file " + file + " does not exist");
        }
        if (size == 0) {
            throw new BadInputException(file + " is empty; expected an ONNX model");
        }
        if (size >= MAX_MODEL_FILE) {
            throw new BadInputException(file + " is " + size + " bytes; an ONNX file must stay under 2 GiB "
                    + "(larger models keep their weights in external data)");
        }
        MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(mapped).newCodedInput();
        in.enableAliasing(true);
        in.setSizeLimit(Integer.MAX_VALUE);
        in.setRecursionLimit(MAX_NESTING);
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException(file + " is not a readable ONNX model: " + oneLine(e.getMessage()));
        }
        if (!proto.hasGraph() || proto.getIrVersion() <= 0) {
            throw new BadInputException(file + " is not an ONNX model: "
                    + (proto.hasGraph() ? "it has no IR version" : "it holds no graph"));
        }
        return proto;
    }

    private static String oneLine(String s) {
        return s == null ? "malformed protobuf" : s.replaceAll("\\s+", " ").trim();
    }
}
