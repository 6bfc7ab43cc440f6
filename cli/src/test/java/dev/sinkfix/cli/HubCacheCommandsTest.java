package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real export in a Hugging Face hub cache layout: inspected, patched beside its links, and run under ONNX Runtime. */
class HubCacheCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void aSnapshotIsInspectedPatchedAndRunWithoutTouchingTheCache() throws Exception {
        Path model = RealExportCopies.hubCache(tmp);
        Path blobs = model.getParent().getParent().getParent().resolve("blobs");
        List<String> blobsBefore = entries(blobs);

        Cli.Outcome inspect = Cli.run("inspect", model.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertEquals("", inspect.err());
        assertTrue(inspect.out().contains("family       llama (genai_config.json says type \"llama\")"), inspect.out());

        Cli.Outcome patch = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3,7");
        assertEquals(0, patch.code(), patch.err());
        Path out = model.resolveSibling("model.sinkfix.onnx");
        Path data = model.resolveSibling("model.sinkfix.onnx.data");
        assertTrue(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS), "a new regular file beside the links");
        assertTrue(Files.isRegularFile(data, LinkOption.NOFOLLOW_LINKS), "the output's own data, not a link");
        assertTrue(patch.out().contains("model.sinkfix.onnx.data is the output's own name for its data"), patch.out());
        assertEquals(blobsBefore, entries(blobs), "nothing written into blobs/");
        assertEquals(Path.of("..", "..", "blobs", "blob1"), Files.readSymbolicLink(model.resolveSibling("model.onnx.data")));

        Cli.Outcome runOriginal = Cli.run("run", model.toString(), "--ids", "1,450,22", "--max-new-tokens", "3",
                "--device", "cpu", "--json");
        assertEquals(0, runOriginal.code(), runOriginal.err());
        Cli.Outcome runPatched = Cli.run("run", out.toString(), "--ids", "1,450,22", "--max-new-tokens", "3",
                "--device", "cpu", "--json");
        assertEquals(0, runPatched.code(), runPatched.err());

        Cli.Outcome validate = Cli.run("validate", model.toString(), out.toString(), "--device", "cpu");
        assertEquals(0, validate.code(), validate.out() + validate.err());
        assertTrue(validate.out().contains("result: PASSED"), validate.out());
        assertEquals(blobsBefore, entries(blobs));
    }

    @Test
    void aDataLinkOutOfTheCacheIsRefusedEverywhere() throws Exception {
        Path model = RealExportCopies.hostileHubCache(tmp);
        for (String[] args : List.of(new String[] {"inspect", model.toString()},
                new String[] {"patch", model.toString(), "--layer", "1", "--neurons", "3", "--allow-missing-data"},
                new String[] {"tap", model.toString(), "--allow-missing-data"},
                new String[] {"run", model.toString(), "--ids", "1,2", "--device", "cpu"},
                new String[] {"diff", model.toString(), model.toString()},
                new String[] {"validate", model.toString(), model.toString(), "--device", "cpu"},
                new String[] {"probe", model.toString(), "--device", "cpu"})) {
            Cli.Outcome r = Cli.run(args);
            assertEquals(2, r.code(), args[0] + ": " + r.err());
            assertEquals(1, r.errLines().size(), args[0] + ": " + r.err());
            assertTrue(r.err().contains("external data file 'model.onnx.data' is a link to "
                    + tmp.toRealPath().resolve("outside").resolve("weights.bin") + ", outside the model's folder"),
                    args[0] + ": " + r.err());
        }
        assertFalse(Files.exists(model.resolveSibling("model.sinkfix.onnx")));
        assertFalse(Files.exists(model.resolveSibling("model.taps.onnx")));
    }

    private static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName() + " " + p.toFile().length()).sorted().toList();
        }
    }
}
