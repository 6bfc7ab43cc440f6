package dev.sinkfix.surgery.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.TinyModels;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.match.DecoderMatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of truncated and byte-mutated copies of real models through load, match and save:
 * each either works or is refused with a {@link BadInputException}; nothing hangs, nothing
 * else escapes, and a refused save leaves no file behind.
 */
class ModelFuzzTest {
    private static final int CASES = 3000;
    @TempDir
    Path tmp;

    @Test
    void mutatedModelsAreRefusedCleanly() throws Exception {
        Path src = SharedModels.tinyLlamaGenaiFp16();
        Files.copy(src.resolveSibling("model.onnx.data"), tmp.resolve("model.onnx.data"));
        byte[] real = Files.readAllBytes(src);
        byte[] tiny = ModelExporter.export(TinyModels.addOf(TinyModels.inlineFloats("w", 4))).toByteArray();
        Random random = new Random(20261125);
        int[] outcome = new int[2];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] mutated = mutate(i % 4 == 0 ? tiny : real, random);
                Path file = Files.write(tmp.resolve("model.onnx"), mutated);
                Path out = tmp.resolve("out.onnx");
                try {
                    Model m = ModelLoader.load(file);
                    try {
                        DecoderMatcher.match(m);
                    } catch (BadInputException expected) {
                        // a damaged graph may no longer be a decoder
                    }
                    ModelSaver.create().overwrite(true).save(m, out);
                    outcome[0]++;
                } catch (BadInputException refused) {
                    assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
                    outcome[1]++;
                } catch (Exception | StackOverflowError e) {
                    Files.write(tmp.getParent().resolve("fuzz-case-" + i + ".onnx"), mutated);
                    fail("case " + i + " escaped with " + e, e);
                }
                Files.deleteIfExists(out);
                try (Stream<Path> left = Files.list(tmp)) {
                    List<Path> temps = left.filter(p -> p.toString().endsWith(".tmp")).toList();
                    assertTrue(temps.isEmpty(), "case " + i + " left " + temps);
                }
            }
        });
        assertTrue(outcome[0] > 0 && outcome[1] > 0, "both outcomes seen: " + Arrays.toString(outcome));
    }

    private static byte[] mutate(byte[] original, Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> Arrays.copyOf(original, random.nextInt(original.length));
            case 1 -> {
                byte[] b = original.clone();
                for (int k = 1 + random.nextInt(8); k > 0; k--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            default -> {
                byte[] b = original.clone();
                int at = random.nextInt(b.length);
                b[at] = (byte) (b[at] ^ (1 << random.nextInt(8)));
                yield b;
            }
        };
    }
}
