package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.TinyModels;
import dev.sinkfix.surgery.ir.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataCheckTest {
    @TempDir
    Path tmp;

    private Path modelDir() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.write(dir.resolve("w.bin"), new byte[64]);
        return dir;
    }

    private String refusal(String location, long offset, long length) throws Exception {
        Path file = TinyModels.writeWithExternal(modelDir(), location, offset, length);
        BadInputException e = assertThrows(BadInputException.class, () -> ModelLoader.load(file));
        assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void acceptsAReferenceInsideTheFolder() throws Exception {
        Model m = ModelLoader.load(TinyModels.writeWithExternal(modelDir(), "w.bin", 48, 16));
        assertTrue(m.graph().value("w").initializer().isExternal());
    }

    @Test
    void refusesAnAbsoluteLocation() throws Exception {
        String msg = refusal("/etc/passwd", 0, 16);
        assertTrue(msg.contains("'/etc/passwd' is absolute"), msg);
    }

    @Test
    void refusesALocationThatLeavesTheFolder() throws Exception {
        Files.write(tmp.resolve("secret.bin"), new byte[64]);
        String msg = refusal("../secret.bin", 0, 16);
        assertTrue(msg.contains("leaves the model's folder"), msg);
    }

    @Test
    void refusesASymbolicLinkToAFileOutsideTheFolder() throws Exception {
        Path outside = Files.write(tmp.resolve("secret.bin"), new byte[64]);
        Path dir = modelDir();
        Files.createSymbolicLink(dir.resolve("link.bin"), outside);
        String msg = refusal("link.bin", 0, 16);
        assertTrue(msg.contains("outside the model's folder") && msg.contains("secret.bin"), msg);
    }

    @Test
    void refusesDataPastTheEndOfTheFile() throws Exception {
        String msg = refusal("w.bin", 56, 16);
        assertTrue(msg.contains("ends past the end of 'w.bin' (64 bytes)"), msg);
    }

    @Test
    void refusesALengthShorterThanTheTensor() throws Exception {
        String msg = refusal("w.bin", 0, 8);
        assertTrue(msg.contains("length 8 is smaller than the 16 bytes"), msg);
    }

    @Test
    void refusesAMissingFileAndNonNumericOffsets() throws Exception {
        assertTrue(refusal("nothere.bin", 0, 16).contains("does not exist"));
        Path file = TinyModels.writeWithExternal(modelDir(), "w.bin", -5, 16);
        BadInputException e = assertThrows(BadInputException.class, () -> ModelLoader.load(file));
        assertTrue(e.getMessage().contains("offset '-5' is not a non-negative integer"), e.getMessage());
    }

    @Test
    void refusesAFolderAsDataFile() throws Exception {
        Files.createDirectories(modelDir().resolve("sub"));
        assertTrue(refusal("sub", 0, 16).contains("not a regular file"));
    }
}
