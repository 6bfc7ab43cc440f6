package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.samples.SinkSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's JSON convention, held by every command that prints a document: every key is
 * snake_case, and the schema names a version. Keys of maps whose keys are data (opset domains,
 * site names, metadata keys) are skipped.
 */
class JsonConventionTest {
    private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Set<String> DATA_KEYS = Set.of("opsets", "sites", "unread_sinkfix_metadata");

    @TempDir
    static Path tmp;
    static Path model;
    static Path patched;

    @BeforeAll
    static void patchTheSinkSample() throws Exception {
        model = Samples.write(SinkSample.PRESET, tmp);
        patched = tmp.resolve("patched.onnx");
        assertEquals(0, Cli.run("patch", model.toString(), "--layer", Integer.toString(SinkSample.LAYER),
                "--neurons", "" + SinkSample.NEURONS.get(0), "-o", patched.toString()).code());
    }

    @Test
    void inspect() throws Exception {
        JsonNode doc = document("inspect", "--json", patched.toString());
        assertEquals("onnx-sinkfix/inspect/2", doc.get("schema").asText());
        assertEquals(1, doc.get("sinkfix_patches").size(), "the patch is listed, so its keys are checked too");
    }

    @Test
    void probe() throws Exception {
        JsonNode doc = document("probe", model.toString(), "--patched", patched.toString(), "--repeats", "10",
                "--device", "cpu", "--json");
        assertEquals("onnx-sinkfix/probe/2", doc.get("schema").asText());
    }

    @Test
    void validate() throws Exception {
        JsonNode doc = document("validate", model.toString(), patched.toString(), "--device", "cpu", "--json", "-");
        assertTrue(doc.get("schema").asText().startsWith("onnx-sinkfix/validate/"));
    }

    @Test
    void diff() throws Exception {
        // Two tiny graphs: diff's generated inputs do not drive a decoder sample's KV cache yet.
        Path a = DiffCommandTest.model(tmp, "diff-a", 1f);
        Path b = DiffCommandTest.model(tmp, "diff-b", 1.5f);
        JsonNode doc = document("diff", a.toString(), b.toString(), "--device", "cpu", "--json", "-");
        assertTrue(doc.get("outputs").get(0).get("first_exceeding").isObject(), "nested keys are checked too: " + doc);
        assertTrue(doc.get("schema").asText().startsWith("onnx-sinkfix/diff/"));
    }

    @Test
    void run() throws Exception {
        JsonNode doc = document("run", model.toString(), "--ids", "1,5,9", "--max-new-tokens", "2",
                "--device", "cpu", "--json");
        assertTrue(doc.get("schema").asText().startsWith("onnx-sinkfix/run/"));
    }

    /** Runs the command (exit 0 or 1: diff and validate may report a difference) and checks every key. */
    private static JsonNode document(String... args) throws Exception {
        Cli.Outcome r = Cli.run(args);
        assertTrue(r.code() == 0 || r.code() == 1, r.code() + ": " + r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        List<String> bad = new ArrayList<>();
        walk(doc, "", bad);
        assertEquals(List.of(), bad, args[0] + " writes keys that are not snake_case");
        return doc;
    }

    private static void walk(JsonNode node, String path, List<String> bad) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", bad);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                if (!SNAKE.matcher(e.getKey()).matches()) {
                    bad.add(path + "/" + e.getKey());
                }
                if (!DATA_KEYS.contains(e.getKey())) {
                    walk(e.getValue(), path + "/" + e.getKey(), bad);
                }
            }
        }
    }
}
