package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hugging Face hub cache: {@code models--org--name/snapshots/REV/model.onnx} and its data are
 * relative links into {@code ../../blobs/HASH}. Accepted by ONNX Runtime 1.30's rule (data inside
 * the model file's real folder); saving never writes into blobs/ nor replaces a link.
 */
class HubCacheTest {
    @TempDir
    Path tmp;
    private Path repo;
    private Path snapshot;

    @BeforeEach
    void buildCache() throws Exception {
        Path real = SharedModels.tinyLlamaGenaiFp16();
        repo = tmp.resolve("models--org--tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        snapshot = Files.createDirectories(repo.resolve("snapshots").resolve("0123abcd"));
        Files.copy(real, blobs.resolve("b1"));
        Files.copy(real.resolveSibling("model.onnx.data"), blobs.resolve("b2"));
        Files.createSymbolicLink(snapshot.resolve("model.onnx"), Path.of("../../blobs/b1"));
        Files.createSymbolicLink(snapshot.resolve("model.onnx.data"), Path.of("../../blobs/b2"));
    }

    @Test
    void aSnapshotLoads() throws Exception {
        Model m = ModelLoader.load(snapshot.resolve("model.onnx"));
        assertEquals(snapshot.resolve("model.onnx"), m.source(), "the model keeps the path it was given");
    }

    @Test
    void aDataLinkOutOfTheBlobsIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.move(repo.resolve("blobs").resolve("b2"), elsewhere.resolve("b2"));
        Files.delete(snapshot.resolve("model.onnx.data"));
        Files.createSymbolicLink(snapshot.resolve("model.onnx.data"), Path.of("../../../elsewhere/b2"));
        for (boolean allowMissing : new boolean[] {false, true}) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> ModelLoader.loadAllowingMissingData(snapshot.resolve("model.onnx"), allowMissing));
            assertTrue(e.getMessage().contains("is a link to " + elsewhere.toRealPath().resolve("b2")
                    + ", outside the model's folder " + snapshot + " or the model file's real folder "
                    + repo.resolve("blobs").toRealPath()), e.getMessage());
        }
    }

    @Test
    void aRegularModelFileBesideLinksIntoBlobsIsRefusedLikeOnnxRuntimeDoes() throws Exception {
        // The output a naive save would write: a regular file whose data name is a link into blobs/.
        Path copy = Files.copy(repo.resolve("blobs").resolve("b1"), snapshot.resolve("plain.onnx"));
        BadInputException e = assertThrows(BadInputException.class, () -> ModelLoader.load(copy));
        assertTrue(e.getMessage().contains("is a link to"), e.getMessage());
    }

    @Test
    void savingBesideTheSnapshotWritesOwnRegularFilesAndLeavesTheCacheAlone() throws Exception {
        Map<Path, String> before = listing(repo);
        Model m = ModelLoader.load(snapshot.resolve("model.onnx"));
        Path out = snapshot.resolve("model.sinkfix.onnx");
        SaveResult r = ModelSaver.create().save(m, out);

        Path data = snapshot.resolve("model.sinkfix.onnx.data");
        assertTrue(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(data, LinkOption.NOFOLLOW_LINKS), "a regular file, not a link");
        assertTrue(Files.isSameFile(data, repo.resolve("blobs").resolve("b2")), "a hard link to the blob: nothing copied");
        assertEquals(List.of(data), r.linked());
        Map<Path, String> after = listing(repo);
        after.remove(out);
        after.remove(data);
        assertEquals(before, after, "blobs and snapshot links are as they were");
        try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
            assertEquals(2, blobs.count(), "nothing written into blobs/");
        }

        Model saved = ModelLoader.load(out); // the rule holds for the output too
        for (Value v : saved.graph().initializers()) {
            if (v.initializer().isExternal()) {
                assertEquals("model.sinkfix.onnx.data", v.initializer().external().location(), v.name());
            }
        }
    }

    @Test
    void savingElsewhereHardLinksTheBlobNotTheRelativeLink() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out")).resolve("m.onnx");
        ModelSaver.create().save(ModelLoader.load(snapshot.resolve("model.onnx")), out);
        Path data = out.resolveSibling("model.onnx.data");
        assertFalse(Files.isSymbolicLink(data), "a copied relative link would dangle here");
        assertTrue(Files.isSameFile(data, repo.resolve("blobs").resolve("b2")));
        ModelLoader.load(out);
    }

    /** Every entry under {@code root}: links by their target text, files by size and inode. */
    private static Map<Path, String> listing(Path root) throws Exception {
        Map<Path, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                out.put(p, Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p) ? "dir" : Files.size(p) + " " + Files.getAttribute(p, "unix:ino"));
            }
        }
        return out;
    }
}
