package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sinkfix.*} metadata is input like any other: hostile layer numbers, garbage values and
 * tensor names that point anywhere go through inspect (text and JSON), patch and tap. Every run
 * ends in exit 0 or exit 2 with one line on stderr, never the bug exit; a patch or tap of a model
 * whose sinkfix metadata cannot be read is refused (it cannot tell what was done to the model).
 */
class HostileMetadataTest {
    private static final List<String> FIELDS = List.of("neurons", "site", "capture_position", "tool_version",
            "site_tensor", "patched_tensor", "NEURONS", "", "mode");
    private static final List<String> LAYERS = List.of("0", "1", "7", "99999999999", "2147483648", "-1", "0001",
            "1.5", "x", "999999999999999999999999");
    private static final List<String> VALUES = List.of("", "x", "-1", "99999999999", "1,,2", "1e3", "42,137", "ACT",
            "up", "gate", "\u0000\u0001", ",", "3,3", "0", "2147483647", "/model/layers.1/mlp/up_proj/MatMul_output_0",
            "logits", "input_ids", "present.0.key", "\u202e\ud83d\ude00", "1, 2 ,3");
    private static final int RANDOM_CASES = 60;

    @TempDir
    Path tmp;

    @Test
    void aHugeLayerNumberIsBadInputNotABug() throws Exception {
        Path model = withMetadata(Samples.write("llama-torch-fp32", tmp.resolve("src")),
                Map.of("sinkfix.layer.99999999999.site", "up"), tmp.resolve("huge"));
        Cli.Outcome inspect = Cli.run("inspect", "--json", model.toString());
        assertEquals(0, inspect.code(), inspect.err());
        JsonNode doc = Json.MAPPER.readTree(inspect.out());
        assertTrue(doc.get("unreadable_sinkfix_metadata").get("sinkfix.layer.99999999999.site").asText()
                .contains("not a layer index"), inspect.out());
        Cli.Outcome patch = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3", "-o",
                tmp.resolve("huge").resolve("p.onnx").toString());
        assertEquals(2, patch.code(), patch.err());
        assertEquals(List.of("onnx-sinkfix: error: the model's sinkfix metadata cannot be read: "
                + "sinkfix.layer.99999999999.site = 'up': layer 99999999999 is not a layer index (expected 0 to 1000000); "
                + "remove the sinkfix.* keys or start from the original model"), patch.errLines());
        assertTrue(Files.notExists(tmp.resolve("huge").resolve("p.onnx")));
    }

    @Test
    void fuzzedSinkfixMetadataIsReportedOrRefusedInOneLine() throws Exception {
        Path source = Samples.write("llama-torch-fp32", tmp.resolve("src"));
        Random random = new Random(11);
        int[] outcomes = new int[3];
        for (int i = 0; i < RANDOM_CASES; i++) {
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                metadata.put("sinkfix.layer." + pick(LAYERS, random) + "." + pick(FIELDS, random),
                        random.nextInt(5) == 0 ? randomText(random) : pick(VALUES, random));
            }
            Path dir = tmp.resolve("case" + i);
            Path model = withMetadata(source, metadata, dir);
            List<String[]> commands = List.of(
                    new String[] {"inspect", model.toString()},
                    new String[] {"inspect", "--json", "--explain", model.toString()},
                    new String[] {"patch", model.toString(), "--layer", "0", "--neurons", "3,40", "-o",
                            dir.resolve("p.onnx").toString(), "--force"},
                    new String[] {"tap", model.toString(), "--site-neurons", "up:3", "-o",
                            dir.resolve("t.onnx").toString(), "--force"});
            for (String[] args : commands) {
                Cli.Outcome r = Cli.run(args);
                if (r.code() == 0) {
                    outcomes[0]++;
                } else if (r.code() == 2 && r.errLines().size() == 1) {
                    outcomes[2]++;
                } else {
                    fail("metadata " + metadata + ", " + String.join(" ", Arrays.copyOf(args, 2)) + ": exit "
                            + r.code() + ", stderr: " + r.err());
                }
            }
        }
        assertTrue(outcomes[0] > 0 && outcomes[2] > 0, "both outcomes seen: " + Arrays.toString(outcomes));
    }

    private static Path withMetadata(Path source, Map<String, String> metadata, Path dir) throws Exception {
        Model m = ModelLoader.load(source);
        m.metadata().putAll(metadata);
        Path file = Files.createDirectories(dir).resolve("model.onnx");
        ModelSaver.create().save(m, file);
        return file;
    }

    private static String pick(List<String> from, Random random) {
        return from.get(random.nextInt(from.size()));
    }

    private static String randomText(Random random) {
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(30); n > 0; n--) {
            b.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0xD000)));
        }
        return b.toString();
    }
}
