package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.TinyModels;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSaverTest {
    @TempDir
    Path tmp;
    private Path input;
    private String inputDigest;

    /** A private copy of the real export, so testdata/ is never touched. */
    @BeforeEach
    void copyRealModel() throws Exception {
        Path src = SharedModels.tinyLlamaGenaiFp16();
        Path dir = Files.createDirectories(tmp.resolve("in"));
        for (String f : List.of("model.onnx", "model.onnx.data")) {
            Files.copy(src.resolveSibling(f), dir.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        input = dir.resolve("model.onnx");
        inputDigest = digest(dir);
    }

    @Test
    void savingBesideTheInputReusesItsDataFile() throws Exception {
        Model model = ModelLoader.load(input);
        SaveResult r = ModelSaver.create().save(model, input.resolveSibling("copy.onnx"));
        assertEquals(List.of(input.resolveSibling("model.onnx.data")), r.reused());
        assertTrue(r.linked().isEmpty() && r.copied().isEmpty());
        Files.delete(r.model());
        assertEquals(inputDigest, digest(input.getParent()), "input folder unchanged");
        assertNoTempFiles(input.getParent());
    }

    @Test
    void savingElsewhereLinksTheDataFile() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out")).resolve("m.onnx");
        SaveResult r = ModelSaver.create().save(ModelLoader.load(input), out);
        Path data = out.resolveSibling("model.onnx.data");
        assertEquals(List.of(data), r.cloned().isEmpty() ? r.linked() : r.cloned());
        assertTrue(r.cloned().isEmpty() == r.sharesInputData(), "a hard link shares the input's file, a clone does not");
        if (r.cloned().isEmpty()) {
            assertTrue(Files.isSameFile(data, input.resolveSibling("model.onnx.data")));
        }
        Model again = ModelLoader.load(out);
        assertArrayEquals(ModelExporter.export(ModelLoader.load(input)).toByteArray(),
                ModelExporter.export(again).toByteArray());
        assertEquals(inputDigest, digest(input.getParent()));
    }

    @Test
    void copyDataGivesTheOutputADataFileOfItsOwn() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("own")).resolve("m.onnx");
        SaveResult r = ModelSaver.create().copyData(true).save(ModelLoader.load(input), out);
        Path data = out.resolveSibling("model.onnx.data");
        assertTrue(r.linked().isEmpty() && r.reused().isEmpty() && !r.sharesInputData(), r.toString());
        assertEquals(List.of(data), r.cloned().isEmpty() ? r.copied() : r.cloned(), "a clone where the file system has them, else a copy");
        assertFalse(Files.isSameFile(data, input.resolveSibling("model.onnx.data")), "not the input's file");
        Files.write(data, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.WRITE);
        assertEquals(inputDigest, digest(input.getParent()), "writing the copy in place leaves the input as it was");
        assertNoTempFiles(out.getParent());
    }

    @Test
    void refusesToOverwriteTheInputItsDataOrAnExistingFile() throws Exception {
        Model model = ModelLoader.load(input);
        assertRefused(model, input, "is the input model");
        assertRefused(model, input.resolveSibling("model.onnx.data"), "external data file");
        Path existing = Files.writeString(input.resolveSibling("taken.onnx"), "x");
        assertRefused(model, existing, "already exists");
        assertRefused(model, tmp.resolve("nope").resolve("m.onnx"), "does not exist");
        assertEquals("x", Files.readString(existing));
        Files.delete(existing);
        assertEquals(inputDigest, digest(input.getParent()));
        assertNoTempFiles(input.getParent());
    }

    @Test
    void refusesToReplaceAForeignDataFileInTheTargetFolder() throws Exception {
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(outDir.resolve("model.onnx.data"), "someone else's");
        assertRefused(ModelLoader.load(input), outDir.resolve("m.onnx"), "already has a different 'model.onnx.data'");
        assertEquals("someone else's", Files.readString(outDir.resolve("model.onnx.data")));
        assertTrue(Files.notExists(outDir.resolve("m.onnx")));
    }

    @Test
    void weightsTooLargeForProtobufMoveToExternalData() throws Exception {
        Tensor w = TinyModels.inlineFloats("w", 2048);
        Path out = tmp.resolve("big.onnx");
        SaveResult r = ModelSaver.create().inlineLimit(4096).save(TinyModels.addOf(w), out);
        assertEquals(List.of(tmp.resolve("big.onnx.data")), r.written());
        Model again = ModelLoader.load(out);
        Tensor.ExternalRef ref = again.graph().value("w").initializer().external();
        assertEquals("big.onnx.data", ref.location());
        byte[] data = Files.readAllBytes(tmp.resolve("big.onnx.data"));
        int offset = Integer.parseInt(ref.offset());
        byte[] stored = java.util.Arrays.copyOfRange(data, offset, offset + Integer.parseInt(ref.length()));
        assertArrayEquals(w.proto().getRawData().toByteArray(), stored);
    }

    @Test
    void savedFilesGetTheUsualPermissionsNotOwnerOnly() throws Exception {
        Path out = tmp.resolve("perm.onnx");
        ModelSaver.create().save(TinyModels.addOf(TinyModels.inlineFloats("w", 4)), out);
        Path probe = Files.createFile(tmp.resolve("probe"));
        assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(out));
    }

    private static void assertRefused(Model model, Path out, String expected) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelSaver.create().save(model, out));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertNoTempFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> temps = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertTrue(temps.isEmpty(), "left behind: " + temps);
        }
    }

    private static String digest(Path dir) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                md.update(p.getFileName().toString().getBytes());
                md.update(Files.readAllBytes(p));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
