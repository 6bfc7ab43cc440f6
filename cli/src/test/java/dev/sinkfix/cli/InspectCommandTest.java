package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path tmp;

    private static Path real() {
        return Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16", "model.onnx");
    }

    @Test
    void printsTheMatchOfTheRealExport() {
        Cli.Outcome r = Cli.run("inspect", real().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("family       llama (genai_config.json says type \"llama\")"), r.out());
        assertTrue(r.out().contains("shape        2 layers, hidden 16, intermediate 64, heads 1, kv heads 1, head dim 16, vocab 32000"), r.out());
        assertTrue(r.out().contains("site up      /model/layers.1/mlp/up_proj/MatMul/output_0"), r.out());
        assertTrue(r.out().contains("sinkfix      no patch recorded"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void jsonFollowsTheDocumentedSchema() throws Exception {
        Path model = Samples.write("mistral-torch-fp32", tmp);
        Cli.Outcome r = Cli.run("inspect", "--json", model.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("onnx-sinkfix/inspect/2", doc.get("schema").asText());
        JsonNode d = doc.get("decoder");
        assertEquals("mistral", d.get("family").asText());
        assertEquals(3, d.get("layers").asInt());
        assertEquals(2, d.get("kv_heads").asInt());
        assertEquals("position_ids input 'position_ids'", d.get("positions").asText());
        JsonNode layer = d.get("layer_details").get(1);
        assertEquals(List.of("up", "gate", "act"), iterableNames(layer.get("sites")));
        assertTrue(layer.get("attention").get("probabilities").asText().endsWith("Softmax_output_0"));
        assertEquals(0, doc.get("sinkfix_patches").size());
    }

    @Test
    void refusesAGraphThatIsNotADecoderInOneLine() throws Exception {
        Path plain = NonDecoder.write(tmp);
        Cli.Outcome r = Cli.run("inspect", plain.toString());
        assertEquals(2, r.code());
        assertEquals(List.of("onnx-sinkfix: error: not a Llama/Mistral decoder: no gated MLP down(act(gate(x)) * up(x)) "
                + "was found: no Mul of a projection and an activated projection of the same input that feeds a third "
                + "projection"), r.errLines());
    }

    @Test
    void theDemoTellsTheWholeStory() {
        Cli.Outcome r = Cli.run("demo", "-o", tmp.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("$ onnx-sinkfix inspect"), r.out());
        assertTrue(r.out().contains("layer 1: pinned neurons [42, 137]"), r.out());
        assertTrue(r.out().contains("$ onnx-sinkfix probe"), r.out());
        assertTrue(r.out().contains("never within 300"), r.out());
        assertTrue(Files.exists(tmp.resolve("llama-sink-fp32").resolve("probe.svg")));
    }

    private static List<String> iterableNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
