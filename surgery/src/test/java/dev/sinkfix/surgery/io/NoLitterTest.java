package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing an interrupted run made stays behind: killed processes' temporaries are removed by the
 * next save into the folder, scratch is removed at exit and on Ctrl-C. Real child JVMs, real signals.
 */
class NoLitterTest {
    @TempDir
    Path tmp;

    @Test
    void theNextSaveRemovesTheTemporaryOfASaveKilledMidCopy() throws Exception {
        Path in = copyOfTheRealExport();
        Path out = Files.createDirectories(tmp.resolve("out")).resolve("model.onnx");
        try (ChildJvm child = ChildJvm.start(tmp, ChildJvm.StuckSave.class, in.toString(), out.toString())) {
            assertTrue(child.line().startsWith("copying "), "the child is in the middle of copying the data file");
            assertEquals(137, child.signal("KILL"));
        }
        List<Path> left = temporaries(out.getParent());
        assertEquals(1, left.size(), "kill -9 leaves the data file's temporary: " + left);
        assertTrue(left.get(0).getFileName().toString().startsWith(".model.onnx.data.sinkfix-"), left.toString());
        assertFalse(Files.exists(out), "no half-written output");

        Path alive = OwnedTemp.createBeside(out.resolveSibling("other.onnx"));
        ModelSaver.create().save(ModelLoader.load(in), out);
        assertEquals(List.of(alive), temporaries(out.getParent()),
                "the dead process's temporary is gone; a live process's (this one's) stays");
        Files.delete(alive);
    }

    @Test
    void aTemporaryOfAnEndedProcessIsRemovedAndOneOfAnotherHostIsKept() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        Path dead = dir.resolve(".m.onnx.sinkfix-" + OwnedTemp.host() + "-" + ended.pid() + "-abc.tmp");
        Path foreign = dir.resolve(".m.onnx.sinkfix-another-host-" + ended.pid() + "-abc.tmp");
        Path unrelated = dir.resolve(".notes.tmp");
        for (Path p : List.of(dead, foreign, unrelated)) {
            Files.writeString(p, "x");
        }
        assertEquals(1, OwnedTemp.sweepBeside(dir));
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(foreign) && Files.exists(unrelated));
    }

    @Test
    void ctrlCRemovesTheScratch() throws Exception {
        try (ChildJvm child = ChildJvm.start(tmp, ChildJvm.HoldScratch.class)) {
            Path folder = Path.of(child.line());
            Path file = Path.of(child.line());
            assertTrue(Files.isDirectory(folder) && Files.isRegularFile(file));
            assertTrue(folder.startsWith(tmp), "the child's scratch is in its own temporary folder");
            assertEquals(130, child.signal("INT"), "the JVM's exit code for SIGINT");
            assertFalse(Files.exists(folder), "scratch folder removed on Ctrl-C");
            assertFalse(Files.exists(file), "scratch file removed on Ctrl-C");
        }
    }

    @Test
    void aNormalExitRemovesTheScratchAndTheNextRunRemovesAKilledOnesScratch() throws Exception {
        try (ChildJvm child = ChildJvm.start(tmp, ChildJvm.HoldScratch.class, "exit")) {
            Path folder = Path.of(child.line());
            assertEquals(0, child.exitCode());
            assertFalse(Files.exists(folder), "scratch left at a normal exit");
        }
        Path killedFolder;
        try (ChildJvm child = ChildJvm.start(tmp, ChildJvm.HoldScratch.class)) {
            killedFolder = Path.of(child.line());
            child.line();
            assertEquals(137, child.signal("KILL"));
        }
        assertTrue(Files.isDirectory(killedFolder), "kill -9 cannot clean up");
        try (ChildJvm child = ChildJvm.start(tmp, ChildJvm.HoldScratch.class, "exit")) {
            child.line();
            assertEquals(0, child.exitCode());
        }
        assertFalse(Files.exists(killedFolder), "the next run's first scratch removes the killed run's");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("onnx-sinkfix-")).toList());
        }
    }

    private Path copyOfTheRealExport() throws IOException {
        Path src = SharedModels.tinyLlamaGenaiFp16();
        Path dir = Files.createDirectories(tmp.resolve("in"));
        for (String f : List.of("model.onnx", "model.onnx.data")) {
            Files.copy(src.resolveSibling(f), dir.resolve(f));
        }
        return dir.resolve("model.onnx");
    }

    private static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
    }
}
