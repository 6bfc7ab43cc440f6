package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.SampleSpec;
import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real deployment client: {@code @huggingface/transformers} (pinned in interop/transformers-js)
 * runs clamp-patched models unmodified with {@code AutoModelForCausalLM.generate} (local files,
 * greedy) and produces the tokens this tool's own {@code run} produces; the replay-mode model is
 * refused there for its state input, which is why clamp mode exists.
 */
class TransformersJsInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REAL = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16");
    @TempDir
    Path tmp;

    @BeforeEach
    void node() throws Exception {
        NodeProject.ready();
    }

    @Test
    void clampPatchedSinkSampleAgreesWithRunTokenForToken() throws Exception {
        SampleSpec spec = Samples.preset("llama-sink-fp32");
        Path source = Samples.write("llama-sink-fp32", tmp.resolve("src"));
        Path folder = hfFolder("sink", spec.hidden(), spec.layers(), spec.heads(), spec.kvHeads(), spec.headDim(),
                spec.vocab(), spec.maxPositions(), 1, -1);
        Path model = folder.resolve("onnx/model.onnx");
        cli("patch", source.toString(), "--layer", "1", "--neurons", "42,137", "--mode", "clamp", "-o", model.toString());
        long[] ordinary = {1, 20, 30, 40, 50, 60};
        long[] repeated = new long[31];
        java.util.Arrays.fill(repeated, 100);
        repeated[0] = 1;
        for (long[] prompt : new long[][] {ordinary, repeated}) {
            List<Long> ours = run(model, prompt, 12);
            JsonNode theirs = NodeProject.generate(request("sink", "fp32", prompt, 12));
            assertTrue(theirs.get("ok").asBoolean(), theirs.toString());
            assertEquals(ours, longs(theirs.get("generated")), "prompt " + java.util.Arrays.toString(prompt));
        }

        // The same sample in replay mode: transformers.js does not feed past_sink_state.
        Path replayFolder = hfFolder("replay", spec.hidden(), spec.layers(), spec.heads(), spec.kvHeads(),
                spec.headDim(), spec.vocab(), spec.maxPositions(), 1, -1);
        cli("patch", source.toString(), "--layer", "1", "--neurons", "42,137", "-o",
                replayFolder.resolve("onnx/model.onnx").toString());
        JsonNode refused = NodeProject.generate(request("replay", "fp32", ordinary, 4));
        assertFalse(refused.get("ok").asBoolean(), refused.toString());
        assertTrue(refused.get("error").asText().contains("Missing the following inputs: past_sink_state.1"),
                refused.toString());
    }

    @Test
    void clampPatchedCopyOfTheRealExportAgreesWithRun() throws Exception {
        JsonNode genai = JSON.readTree(REAL.resolve("genai_config.json").toFile()).get("model");
        JsonNode d = genai.get("decoder");
        Path folder = hfFolder("real", d.get("hidden_size").asInt(), d.get("num_hidden_layers").asInt(),
                d.get("num_attention_heads").asInt(), d.get("num_key_value_heads").asInt(), d.get("head_size").asInt(),
                genai.get("vocab_size").asInt(), genai.get("context_length").asInt(), genai.get("bos_token_id").asInt(),
                genai.get("eos_token_id").asInt());
        // fp16: transformers.js reads onnx/model_fp16.onnx for dtype fp16; the data file is linked beside it.
        Path model = folder.resolve("onnx/model_fp16.onnx");
        cli("patch", REAL.resolve("model.onnx").toString(), "--layer", "1", "--neurons", "3,40", "--mode", "clamp",
                "-o", model.toString());
        long[] prompt = {0, 500, 600, 700, 800};
        List<Long> ours = run(model, prompt, 10);
        JsonNode theirs = NodeProject.generate(request("real", "fp16", prompt, 10));
        assertTrue(theirs.get("ok").asBoolean(), theirs.toString());
        assertEquals(ours, longs(theirs.get("generated")));
    }

    /** The Hugging Face layout transformers.js reads: config.json, generation_config.json, onnx/. */
    private Path hfFolder(String name, int hidden, int layers, int heads, int kvHeads, int headDim, int vocab,
                          int positions, int bos, int eos) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("hub").resolve(name).resolve("onnx")).getParent();
        String eosJson = eos < 0 ? "null" : Integer.toString(eos);
        Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d,
                 "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d, "head_dim": %d,
                 "vocab_size": %d, "max_position_embeddings": %d, "bos_token_id": %d, "eos_token_id": %s}
                """, hidden, layers, heads, kvHeads, headDim, vocab, positions, bos, eosJson));
        Files.writeString(dir.resolve("generation_config.json"),
                String.format(Locale.ROOT, "{\"bos_token_id\": %d, \"eos_token_id\": %s}%n", bos, eosJson));
        return dir;
    }

    private Map<String, Object> request(String name, String dtype, long[] prompt, int maxNew) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("root", tmp.resolve("hub").toString());
        r.put("model", name);
        r.put("dtype", dtype);
        r.put("input_ids", prompt);
        r.put("max_new_tokens", maxNew);
        return r;
    }

    /** This tool's own greedy generation, through the CLI's run --json. */
    private static List<Long> run(Path model, long[] prompt, int maxNew) throws Exception {
        StringBuilder ids = new StringBuilder();
        for (long id : prompt) {
            ids.append(ids.length() == 0 ? "" : ",").append(id);
        }
        String out = cli("run", model.toString(), "--ids", ids.toString(), "--max-new-tokens", Integer.toString(maxNew),
                "--device", "cpu", "--json");
        return longs(JSON.readTree(out).get("generated").get("ids"));
    }

    private static String cli(String... args) {
        Cli.Outcome r = Cli.run(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }
}
