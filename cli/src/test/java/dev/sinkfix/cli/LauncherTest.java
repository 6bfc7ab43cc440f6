package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./onnx-sinkfix} launcher, run by bash on a copy of this checkout's layout with stand-ins
 * for {@code mvn} and {@code java} that log what they were asked: when it builds, and that it tries
 * to record the class-data archive once per build whatever happens.
 */
class LauncherTest {
    @TempDir
    Path tmp;
    private Path root;
    private Path log;
    private Path source;
    private Path jar;

    @BeforeEach
    void layout() throws IOException {
        root = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(Path.of("..", "onnx-sinkfix"), root.resolve("onnx-sinkfix"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        source = root.resolve("cli/src/main/java/A.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class A {}");
        jar = root.resolve("cli/target/onnx-sinkfix.jar");
        log = tmp.resolve("log");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        script(bin.resolve("mvn"), "echo \"mvn $*\" >> \"$LOG\"; mkdir -p cli/target; echo jar > cli/target/onnx-sinkfix.jar");
        script(bin.resolve("java"), String.join("\n",
                "echo \"java $*\" >> \"$LOG\"",
                "for a in \"$@\"; do case \"$a\" in -XX:ArchiveClassesAtExit=*)",
                "  [ \"${FAKE_CDS:-ok}\" = ok ] || exit 1; echo archive > \"${a#*=}\"; exit 0;; esac; done",
                "echo \"ran: ${*: -1}\""));
        Files.createDirectories(tmp.resolve("t"));
        age(source, 200);
        age(root.resolve("pom.xml"), 200);
    }

    @Test
    void buildsOnFirstUseThenRecordsTheArchiveOnceAndUsesIt() throws Exception {
        Outcome first = launch("--version");
        assertEquals(0, first.code, first.err);
        assertEquals("ran: --version", first.out.strip());
        assertEquals(1, count("mvn -B -q -DskipTests package"), "built once, with package (not install)");
        assertEquals(1, count("-XX:ArchiveClassesAtExit="), "archive recorded");
        assertTrue(Files.isRegularFile(root.resolve("cli/target/onnx-sinkfix.jsa")));

        Outcome second = launch("inspect");
        assertEquals("ran: inspect", second.out.strip());
        assertEquals(1, count("mvn "), "no rebuild while the jar is newer than every source");
        assertEquals(1, count("-XX:ArchiveClassesAtExit="), "no second recording");
        assertTrue(lines().get(lines().size() - 1).contains("-XX:SharedArchiveFile="), "the archive is used");
        assertNoScratch();
    }

    @Test
    void rebuildsWhenASourceOrAPomIsNewerThanTheJar() throws Exception {
        launch("--version");
        age(jar, 100);
        assertEquals(1, count("mvn "));
        launch("--version");
        assertEquals(1, count("mvn "), "sources older than the jar");
        for (Path changed : List.of(source, root.resolve("pom.xml"))) {
            age(jar, 100);
            age(changed, 50);
            Outcome r = launch("--version");
            assertTrue(r.err.contains(root.relativize(changed) + " changed"), r.err);
            launch("--version");
        }
        assertEquals(3, count("mvn "), "one rebuild per change, none after it");
        assertEquals(3, count("-XX:ArchiveClassesAtExit="), "one recording per build");
    }

    @Test
    void aFailedRecordingIsNotRetriedUntilTheNextBuild() throws Exception {
        Outcome first = launch("--version", "FAKE_CDS=fail");
        assertEquals(0, first.code, first.err);
        assertEquals("ran: --version", first.out.strip(), "the command runs anyway");
        assertTrue(first.err.contains("could not record the class-data archive"), first.err);
        for (int i = 0; i < 3; i++) {
            Outcome again = launch("--version", "FAKE_CDS=fail");
            assertEquals("", again.err, "nothing tried, nothing said");
        }
        assertEquals(1, count("-XX:ArchiveClassesAtExit="), "one attempt for this build");
        assertFalse(lines().get(lines().size() - 1).contains("SharedArchiveFile"));
        assertNoScratch();

        age(jar, 100);
        age(source, 50);
        launch("--version");
        assertEquals(2, count("-XX:ArchiveClassesAtExit="), "a new build gets one new attempt");
    }

    private record Outcome(int code, String out, String err) {
    }

    private Outcome launch(String arg, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("onnx-sinkfix").toString(), arg);
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("LOG", log.toString());
        pb.environment().put("TMPDIR", tmp.resolve("t").toString());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("ONNX_SINKFIX_CDS");
        for (String e : env) {
            pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ends");
        return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> lines() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private long count(String fragment) throws IOException {
        return lines().stream().filter(l -> l.contains(fragment)).count();
    }

    private void assertNoScratch() throws IOException {
        try (Stream<Path> left = Files.list(tmp.resolve("t"))) {
            assertEquals(List.of(), left.toList(), "the recording's scratch folder is removed");
        }
    }

    private static void age(Path file, int seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(seconds)));
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
