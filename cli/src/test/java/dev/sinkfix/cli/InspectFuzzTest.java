package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated and byte-mutated samples through {@code inspect}, text and JSON: every run ends in
 * exit 0, or exit 2 with exactly one line on stderr; never a bug exit, never a hang.
 */
class InspectFuzzTest {
    private static final int CASES = 1500;
    @TempDir
    Path tmp;

    @Test
    void mutatedModelsGetOneLineOrAReport() throws Exception {
        byte[] genai = Files.readAllBytes(Samples.write("mistral-genai-fp16", tmp.resolve("genai")));
        byte[] torch = Files.readAllBytes(Samples.write("llama-dynamo-fp32", tmp.resolve("torch")));
        Path dir = tmp.resolve("genai");
        Random random = new Random(7);
        int[] codes = new int[3];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] source = i % 3 == 0 ? torch : genai;
                byte[] mutated = random.nextBoolean()
                        ? Arrays.copyOf(source, random.nextInt(source.length))
                        : flip(source, random);
                Path file = Files.write(dir.resolve("fuzz.onnx"), mutated);
                Cli.Outcome r = i % 2 == 0 ? Cli.run("inspect", file.toString()) : Cli.run("inspect", "--json", file.toString());
                if (r.code() == 0) {
                    codes[0]++;
                } else if (r.code() == 2 && r.errLines().size() == 1) {
                    codes[2]++;
                } else {
                    Files.write(tmp.getParent().resolve("inspect-fuzz-" + i + ".onnx"), mutated);
                    fail("case " + i + ": exit " + r.code() + ", stderr: " + r.err());
                }
            }
        });
        assertTrue(codes[0] > 0 && codes[2] > 0, "both outcomes seen: " + Arrays.toString(codes));
    }

    private static byte[] flip(byte[] source, Random random) {
        byte[] b = source.clone();
        for (int k = 1 + random.nextInt(6); k > 0; k--) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
    }
}
