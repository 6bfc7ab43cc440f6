package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    static Path tmp;
    static Path original;
    static Path patched;

    @BeforeAll
    static void patch() throws Exception {
        original = Samples.write("llama-sink-fp32", tmp.resolve("sample"));
        patched = tmp.resolve("patched.onnx");
        Cli.Outcome r = Cli.run("patch", original.toString(), "--layer", "1", "--neurons", "42,137", "-o",
                patched.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aCorrectPatchPassesWithATableAndAJsonReport() throws Exception {
        Path json = tmp.resolve("report.json");
        Path prompts = tmp.resolve("prompts.txt");
        Files.writeString(prompts, "1, 5, 9, 200, 7\n\n1,100,100,100,100,100,100\n");
        Cli.Outcome r = Cli.run("validate", original.toString(), patched.toString(), "--device", "cpu",
                "--prompts", prompts.toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (int check = 1; check <= 6; check++) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d\\s+.*\\s+PASS\\s+.*")), r.out());
        }
        assertTrue(r.out().contains("result: PASSED"), r.out());
        assertTrue(r.out().contains("greedy next-token agreement"), r.out());
        assertTrue(r.out().contains("residual norms after layer 1"), r.out());
        JsonNode doc = Json.MAPPER.readTree(json.toFile());
        assertEquals("onnx-sinkfix/validate/1", doc.get("schema").asText());
        assertTrue(doc.get("passed").asBoolean());
        assertEquals(6, doc.get("checks").size());
        assertEquals("passed", doc.get("checks").get(1).get("status").asText());
        assertEquals("metadata", doc.get("patch").get("source").asText());
        assertEquals(List.of(42, 137), List.of(doc.get("patch").get("layers").get(0).get("neurons").get(0).asInt(),
                doc.get("patch").get("layers").get(0).get("neurons").get(1).asInt()));
        assertEquals("user", doc.get("prompts").get(doc.get("prompts").size() - 1).get("source").asText());
        assertTrue(doc.get("seconds").get("total").asDouble() > 0);
        assertTrue(doc.get("effects").get("residual_norms").get("repeated_median_patched").asDouble()
                < doc.get("effects").get("residual_norms").get("repeated_median_original").asDouble());
    }

    @Test
    void aBrokenPatchExitsOneAndNamesTheCheck() throws Exception {
        Model m = ModelLoader.load(patched);
        m.metadata().put("sinkfix.layer.1.neurons", "42,138");
        Path wrong = tmp.resolve("wrong").resolve("model.onnx");
        Files.createDirectories(wrong.getParent());
        ModelSaver.create().save(m, wrong);
        Cli.Outcome r = Cli.run("validate", original.toString(), wrong.toString(), "--device", "cpu", "--json", "-");
        assertEquals(1, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertEquals("failed", doc.get("checks").get(3).get("status").asText());
        assertTrue(doc.get("checks").get(3).get("detail").asText().contains("neuron 137"));
    }

    @Test
    void theCommandLineDescribesAPatchAndBadInputIsOneLine() {
        Cli.Outcome ok = Cli.run("validate", original.toString(), patched.toString(), "--device", "cpu",
                "--layer", "1", "--neurons", "42,137", "--site", "up", "--capture-position", "1");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("patch (command line)"), ok.out());

        Cli.Outcome missing = Cli.run("validate", original.toString(), tmp.resolve("nope.onnx").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.errLines().size(), missing.err());
        assertTrue(missing.errLines().get(0).startsWith("onnx-sinkfix: error: "), missing.err());

        Cli.Outcome unpatched = Cli.run("validate", original.toString(), original.toString(), "--device", "cpu");
        assertEquals(2, unpatched.code());
        assertEquals(1, unpatched.errLines().size(), unpatched.err());
        assertTrue(unpatched.err().contains("records no sink patch"), unpatched.err());

        Cli.Outcome neuronsAlone = Cli.run("validate", original.toString(), patched.toString(), "--neurons", "1");
        assertEquals(2, neuronsAlone.code());
        assertEquals(List.of("onnx-sinkfix: error: --neurons, --site and --capture-position describe a patch together "
                + "with --layer; give --layer too, or none of them to read the model's metadata"), neuronsAlone.errLines());

        Cli.Outcome badSite = Cli.run("validate", original.toString(), patched.toString(), "--layer", "1",
                "--neurons", "42,137", "--site", "down");
        assertEquals(2, badSite.code());
        assertEquals(List.of("onnx-sinkfix: error: unknown site 'down'; expected one of up, gate, act"),
                badSite.errLines());
    }

    @Test
    void textPromptsWithoutATokenizerAreRefused() throws Exception {
        Path prompts = tmp.resolve("text.txt");
        Files.writeString(prompts, "hello there\n");
        Cli.Outcome r = Cli.run("validate", original.toString(), patched.toString(), "--device", "cpu",
                "--prompts", prompts.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("no tokenizer.json"), r.err());
    }

    @Test
    void textPromptsGoThroughTheRealExportsTokenizer() throws Exception {
        Path real = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16");
        Path copy = Files.createDirectories(tmp.resolve("real"));
        for (String f : List.of("model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json",
                "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(real.resolve(f), copy.resolve(f));
        }
        Path fixed = copy.resolve("patched.onnx");
        assertEquals(0, Cli.run("patch", copy.resolve("model.onnx").toString(), "--layer", "1", "--neurons", "5,40",
                "--site", "gate", "-o", fixed.toString()).code());
        Path prompts = Files.writeString(tmp.resolve("prompts.txt"), "The quick brown fox jumps over the lazy dog\n1,450,450,450\n");
        Cli.Outcome r = Cli.run("validate", copy.resolve("model.onnx").toString(), fixed.toString(), "--device", "cpu",
                "--prompts", prompts.toString(), "--json", "-");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        List<String> sources = new java.util.ArrayList<>();
        doc.get("prompts").forEach(p -> sources.add(p.get("source").asText()));
        assertEquals(2, sources.stream().filter("user"::equals).count(), doc.get("prompts").toString());
        JsonNode text = doc.get("prompts").get(sources.indexOf("user"));
        assertTrue(text.get("tokens").asInt() > 5, "the sentence is tokenized into many tokens: " + text);
    }
}
