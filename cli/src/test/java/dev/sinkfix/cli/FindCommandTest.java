package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.SinkSample;
import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FindCommandTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheSinkSampleAndItsCommandPatchesIt() throws Exception {
        Path model = Samples.write(SinkSample.PRESET, tmp.resolve("sink"));
        byte[] before = Files.readAllBytes(model);
        List<String> folder = listing(model.getParent());
        Path plot = tmp.resolve("find.svg");
        Cli.Outcome r = Cli.run("find", model.toString(), "--repeats", "200", "--device", "cpu", "--json",
                "--plot", plot.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("onnx-sinkfix/find/1", doc.get("schema").asText());
        assertEquals("sink", doc.get("verdict").asText());
        JsonNode sink = doc.get("sink");
        assertEquals(SinkSample.LAYER, sink.get("layer").asInt());
        assertEquals("up", sink.get("site").asText());
        assertEquals(List.of(42, 137), ints(sink.get("neurons")));
        assertTrue(sink.get("climb_stopped").asBoolean(), sink.toString());
        JsonNode layer1 = doc.get("layers").get(1);
        assertTrue(layer1.get("bos_resid_norm").asDouble() > 5 * layer1.get("typical_resid_norm").asDouble());
        JsonNode top = layer1.get("neurons").get(0);
        assertTrue(List.of(42, 137).contains(top.get("neuron").asInt()), top.toString());
        assertTrue(top.get("ratio").asDouble() > 50, top.toString());
        for (JsonNode f : doc.get("repeats")) {
            assertTrue(f.get("original").isInt(), f.toString());
            assertTrue(f.get("patched").isNull(), f.toString());
        }
        assertSnakeCase(doc, "");
        assertTrue(Files.readString(plot).startsWith("<svg"));
        assertArrayEquals(before, Files.readAllBytes(model), "the model is not changed");
        assertEquals(folder, listing(model.getParent()), "nothing written beside the model");

        // The printed command, run as printed, gives a model whose repeats no longer climb.
        List<String> patch = new ArrayList<>(List.of(sink.get("command").asText().split(" ")));
        patch.remove(0);
        Path patched = tmp.resolve("patched.onnx");
        patch.addAll(List.of("-o", patched.toString()));
        assertEquals(0, Cli.run(patch.toArray(String[]::new)).code());
        Cli.Outcome probe = Cli.run("probe", model.toString(), "--patched", patched.toString(), "--repeats", "200",
                "--layer", "1", "--device", "cpu", "--json");
        JsonNode after = new ObjectMapper().readTree(probe.out()).get("patched").get("layers").get(0);
        assertTrue(after.get("threshold").isNull(), after.toString());
    }

    @Test
    void aRandomModelHasNoSinkAndExitsOne() throws Exception {
        Path model = Samples.write("llama-torch-fp32", tmp.resolve("plain"));
        Cli.Outcome r = Cli.run("find", model.toString(), "--device", "cpu");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains("verdict: none"), r.out());
        assertTrue(r.out().contains("no early layer has an extreme BoS"), r.out());
        Cli.Outcome json = Cli.run("find", model.toString(), "--device", "cpu", "--json");
        assertEquals(1, json.code());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals("none", doc.get("verdict").asText());
        assertTrue(doc.get("sink").isNull());
        assertEquals(2, doc.get("layers").size());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path model = Samples.write("llama-torch-fp32", tmp.resolve("plain"));
        assertEquals(List.of("onnx-sinkfix: error: layer 5 does not exist: the model has 2 layers, 0 to 1"),
                Cli.run("find", model.toString(), "--layers", "5-8", "--device", "cpu").errLines());
        Cli.Outcome site = Cli.run("find", model.toString(), "--site", "down");
        assertEquals(2, site.code());
        assertEquals(List.of("onnx-sinkfix: error: unknown site 'down'; expected one of up, gate, act"), site.errLines());
        Cli.Outcome token = Cli.run("find", model.toString(), "--tokens", "999", "--device", "cpu");
        assertEquals(2, token.code());
        assertEquals(List.of("onnx-sinkfix: error: token id 999 is outside the vocabulary of 256"), token.errLines());
        Path patched = tmp.resolve("plain").resolve("patched.onnx");
        assertEquals(0, Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3", "-o", patched.toString()).code());
        Cli.Outcome twice = Cli.run("find", patched.toString(), "--device", "cpu");
        assertEquals(2, twice.code());
        assertEquals(List.of("onnx-sinkfix: error: " + patched + " is already patched by onnx-sinkfix (layer 1, neurons [3]);"
                + " find runs on the original model"), twice.errLines());
        Path prompts = tmp.resolve("prompts.txt");
        Files.writeString(prompts, "1,5,6,7\n3,999\n");
        Cli.Outcome outside = Cli.run("find", model.toString(), "--prompts", prompts.toString(), "--device", "cpu");
        assertEquals(2, outside.code());
        assertEquals(List.of("onnx-sinkfix: error: prompt 2: token id 999 is outside the vocabulary of 256"),
                outside.errLines());
        Path junk = tmp.resolve("junk.onnx");
        Files.writeString(junk, "not a model");
        assertEquals(2, Cli.run("find", junk.toString()).code());
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static void assertSnakeCase(JsonNode node, String path) {
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                assertTrue(key.matches("[a-z0-9_]+"), "key " + path + "." + key + " is snake_case");
                assertSnakeCase(node.get(key), path + "." + key);
            }
        } else if (node.isArray()) {
            node.forEach(n -> assertSnakeCase(n, path + "[]"));
        }
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
