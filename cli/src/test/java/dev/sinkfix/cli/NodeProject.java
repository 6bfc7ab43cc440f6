package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pinned npm project in {@code interop/transformers-js}: found from the module folder, its
 * {@code node_modules} installed once with {@code npm ci} (from package-lock.json) where missing,
 * and its script run with one JSON request. Tests are skipped, with the reason, where node or npm
 * is not on the PATH.
 */
final class NodeProject {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean installed;

    private NodeProject() {
    }

    static Path dir() {
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("interop").resolve("transformers-js");
            if (Files.isRegularFile(candidate.resolve("package-lock.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("interop/transformers-js not found above " + here);
    }

    /** Skips the calling test where node or npm is missing; installs the project where it is not yet. */
    static synchronized void ready() throws IOException, InterruptedException {
        assumeTrue(onPath("node"), "node is not on the PATH: the transformers.js interop test needs Node.js 18+");
        assumeTrue(onPath("npm"), "npm is not on the PATH: the transformers.js interop test installs its pinned project with npm ci");
        Path dir = dir();
        if (installed || Files.isDirectory(dir.resolve("node_modules/@huggingface/transformers"))) {
            installed = true;
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                .redirectErrorStream(true);
        // onnxruntime-node would fetch its CUDA provider from outside the npm registry; the CPU one ships in it.
        pb.environment().put("ONNXRUNTIME_NODE_INSTALL", "skip");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "npm ci did not finish in 10 minutes");
        assertEquals(0, p.exitValue(), "npm ci in " + dir + " failed:\n" + out);
        installed = true;
    }

    /** Runs generate.mjs; its one line of JSON. */
    static JsonNode generate(Map<String, Object> request) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("node", "generate.mjs", JSON.writeValueAsString(request))
                .directory(dir().toFile()).redirectErrorStream(false);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "node generate.mjs did not finish in 2 minutes");
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(!lines.isEmpty(), "generate.mjs printed no JSON: " + out);
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
