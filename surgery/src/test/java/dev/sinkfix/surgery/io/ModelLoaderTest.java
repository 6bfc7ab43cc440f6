package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void importAndExportGiveBackTheSameBytes() throws Exception {
        Path real = SharedModels.tinyLlamaGenaiFp16();
        Model model = ModelLoader.load(real);
        assertArrayEquals(Files.readAllBytes(real), ModelExporter.export(model).toByteArray(),
                "an untouched model must serialise to the bytes it was read from");
    }

    @Test
    void keepsTheUnsortedNodeOrderOfTheRealExport() throws Exception {
        Model model = ModelLoader.load(SharedModels.tinyLlamaGenaiFp16());
        assertTrue(!model.graph().isTopologicallySorted(), "the genai export arrives unsorted");
        model.graph().topologicalSort();
        assertTrue(model.graph().isTopologicallySorted());
    }

    @Test
    void refusesFilesThatAreNotModels() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.onnx"), "this is not a model\n");
        assertRefused(text, "not");
        Path empty = Files.write(tmp.resolve("empty.onnx"), new byte[0]);
        assertRefused(empty, "is empty");
        assertRefused(tmp.resolve("missing.onnx"), "does not exist");
        assertRefused(tmp, "is a folder");
    }

    @Test
    void refusesATruncatedModel() throws Exception {
        Path real = SharedModels.tinyLlamaGenaiFp16();
        byte[] bytes = Files.readAllBytes(real);
        Path cut = Files.write(tmp.resolve("cut.onnx"), Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(cut, "not a readable ONNX model");
    }

    private static void assertRefused(Path file, String expected) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelLoader.load(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }
}
