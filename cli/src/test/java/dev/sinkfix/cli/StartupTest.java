package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.samples.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short command loads only what it uses: the command tree holds the one subcommand asked for,
 * and {@code patch} and {@code inspect} load neither ONNX Runtime nor Jackson nor the generation
 * code (checked on the classes a real JVM loads, {@code -Xlog:class+load}).
 */
class StartupTest {
    @TempDir
    Path tmp;

    @Test
    void theTreeHoldsOnlyTheNamedSubcommand() {
        assertEquals(Set.of("patch"), Main.commandLine("patch", "m.onnx", "--preset", "x").getSubcommands().keySet());
        assertEquals(Set.of("inspect"), Main.commandLine("--stacktrace", "inspect", "m.onnx").getSubcommands().keySet());
        assertEquals(Set.of(), Main.commandLine("--version").getSubcommands().keySet());
        int all = SinkfixCommand.SUBCOMMANDS.size();
        assertEquals(all, Main.commandLine().getSubcommands().size(), "the root alone: all, for its help");
        assertEquals(all, Main.commandLine("help", "patch").getSubcommands().size(), "help needs the others");
        assertEquals(all, Main.commandLine("pacth").getSubcommands().size(), "a typo's error lists every choice");
    }

    @Test
    void patchAndInspectLoadNeitherOnnxRuntimeNorJackson() throws Exception {
        Path model = Samples.write("llama-genai-fp16", tmp.resolve("m"));
        for (List<String> command : List.of(
                List.of("inspect", model.toString()),
                List.of("patch", model.toString(), "--layer", "1", "--neurons", "3", "-o", tmp.resolve("p.onnx").toString()))) {
            List<String> loaded = loadedClasses(command);
            assertTrue(loaded.contains("dev.sinkfix.surgery.match.DecoderMatcher"), "the log is read: " + loaded.size());
            List<String> unwanted = loaded.stream().filter(c -> c.startsWith("ai.onnxruntime.")
                    || c.startsWith("com.fasterxml.jackson.databind.") || c.startsWith("dev.sinkfix.runtime.generate.")
                    || c.startsWith("dev.sinkfix.validator.") || c.startsWith("ai.djl.")).toList();
            assertEquals(List.of(), unwanted, command.get(0) + " loads classes it does not use");
            // genai_config.json beside the sample is read by Jackson's streaming parser only, a few dozen classes.
            long jacksonCore = loaded.stream().filter(c -> c.startsWith("com.fasterxml.jackson.core.")).count();
            assertTrue(jacksonCore < 80, command.get(0) + " loads " + jacksonCore + " classes of jackson-core");
        }
    }

    private List<String> loadedClasses(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-Xlog:class+load=info:stdout", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        Path log = tmp.resolve("classes.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command ends");
        List<String> lines = Files.readAllLines(log);
        assertEquals(0, p.exitValue(), String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        List<String> classes = new ArrayList<>();
        for (String line : lines) {
            int at = line.indexOf("[class,load] ");
            if (at >= 0) {
                String rest = line.substring(at + "[class,load] ".length());
                classes.add(rest.substring(0, rest.indexOf(' ')));
            }
        }
        return classes;
    }
}
