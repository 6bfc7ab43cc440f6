package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.TinyModels;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graph shared without its weights: the real export's model.onnx alone in a folder. */
class GraphOnlyModelTest {
    @TempDir
    Path tmp;

    private Path graphOnly() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("graph-only"));
        return Files.copy(SharedModels.tinyLlamaGenaiFp16(), dir.resolve("model.onnx"));
    }

    @Test
    void aPlainLoadRefusesNamingTheAbsentFile() throws Exception {
        Path model = graphOnly();
        MissingDataException e = assertThrows(MissingDataException.class, () -> ModelLoader.load(model));
        assertEquals("model.onnx.data", e.location());
        assertTrue(e.getMessage().startsWith("external data file 'model.onnx.data' (tensor '"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist in " + model.getParent()), e.getMessage());
        assertThrows(MissingDataException.class, () -> ModelLoader.requireRunnable(model));
    }

    @Test
    void theGraphLoadsWhenAskedAndNamesWhatIsAbsent() throws Exception {
        ModelLoader.Loaded read = ModelLoader.loadAllowingMissingData(graphOnly(), true);
        assertEquals(List.of("model.onnx.data"), read.missingData());
        long external = read.model().graph().initializers().stream().filter(v -> v.initializer().isExternal()).count();
        assertEquals(23, external, "every weight still references the absent file");
    }

    @Test
    void aWholeModelHasNothingAbsent() throws Exception {
        assertEquals(List.of(), ModelLoader.loadAllowingMissingData(SharedModels.tinyLlamaGenaiFp16(), true).missingData());
    }

    @Test
    void savingAGraphOnlyModelKeepsTheSameDataNameAndWritesNoData() throws Exception {
        Model model = ModelLoader.loadAllowingMissingData(graphOnly(), true).model();
        Path out = Files.createDirectories(tmp.resolve("out")).resolve("patched.onnx");
        SaveResult r = ModelSaver.create().save(model, out);
        assertTrue(r.reused().isEmpty() && r.linked().isEmpty() && r.copied().isEmpty() && r.written().isEmpty(), r.toString());
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "only the model file is written");
        }
        ModelLoader.Loaded again = ModelLoader.loadAllowingMissingData(out, true);
        assertEquals(List.of("model.onnx.data"), again.missingData());
        for (Value v : again.model().graph().initializers()) {
            if (v.initializer().isExternal()) {
                assertEquals("model.onnx.data", v.initializer().external().location(), v.name());
            }
        }
    }

    // Hostile references stay refused when absent files are allowed.

    private String refusedEvenAllowingMissing(Path model) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelLoader.loadAllowingMissingData(model, true));
        assertFalse(e instanceof MissingDataException, e.getMessage());
        return e.getMessage();
    }

    @Test
    void anAbsolutePathIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("abs"));
        String msg = refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "/nonexistent/w.bin", 0, 16));
        assertTrue(msg.contains("is absolute"), msg);
    }

    @Test
    void aPathOutOfTheFolderIsRefusedPresentOrNot() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dotdot"));
        assertTrue(refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "../absent.bin", 0, 16))
                .contains("leaves the model's folder"));
        Files.write(tmp.resolve("present.bin"), new byte[64]);
        assertTrue(refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "sub/../../present.bin", 0, 16))
                .contains("leaves the model's folder"));
    }

    @Test
    void aLinkOutOfTheFolderIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("link"));
        Files.createSymbolicLink(dir.resolve("w.bin"), Files.write(tmp.resolve("secret.bin"), new byte[64]));
        assertTrue(refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "w.bin", 0, 16)).contains("is a link to"));
    }

    @Test
    void anAbsentFileBehindAFolderLinkOutIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dirlink"));
        Files.createSymbolicLink(dir.resolve("sub"), Files.createDirectories(tmp.resolve("elsewhere")));
        String msg = refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "sub/absent.bin", 0, 16));
        assertTrue(msg.contains("goes through") && msg.contains("elsewhere"), msg);
    }

    @Test
    void garbageOffsetsOfAnAbsentFileAreRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("garbage"));
        String msg = refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "absent.bin", -5, 16));
        assertTrue(msg.contains("offset '-5' is not a non-negative integer"), msg);
        msg = refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "absent.bin", 0, 8));
        assertTrue(msg.contains("length 8 is smaller than the 16 bytes"), msg);
    }

    @Test
    void aDanglingLinkIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dangling"));
        Files.createSymbolicLink(dir.resolve("w.bin"), dir.resolve("gone.bin"));
        String msg = refusedEvenAllowingMissing(TinyModels.writeWithExternal(dir, "w.bin", 0, 16));
        assertTrue(msg.contains("a link to a file that does not exist"), msg);
    }
}
