package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.SinkSample;
import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheThresholdInTheOriginalAndNoneInThePatchedModel() throws Exception {
        Path model = Samples.write(SinkSample.PRESET, tmp.resolve("sink"));
        String neurons = SinkSample.NEURONS.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        Path patched = tmp.resolve("sink").resolve("patched.onnx");
        assertEquals(0, Cli.run("patch", model.toString(), "--layer", Integer.toString(SinkSample.LAYER),
                "--neurons", neurons, "-o", patched.toString()).code());
        byte[] before = Files.readAllBytes(model);
        Path plot = tmp.resolve("probe.svg");

        Cli.Outcome r = Cli.run("probe", model.toString(), "--patched", patched.toString(), "--repeats", "10,100,300",
                "--device", "cpu", "--json", "--plot", plot.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        JsonNode original = doc.get("original").get("layers").get(SinkSample.LAYER);
        JsonNode fixed = doc.get("patched").get("layers").get(SinkSample.LAYER);
        assertTrue(original.get("has_sink").asBoolean(), original.toString());
        assertTrue(original.get("threshold").isInt() && original.get("threshold").asInt() <= 100, original.toString());
        assertTrue(fixed.get("has_sink").asBoolean(), "BoS stays a sink after the patch: " + fixed);
        assertTrue(fixed.get("threshold").isNull(), "no repeat reaches half the BoS norm once patched: " + fixed);
        assertTrue(Files.readString(plot).startsWith("<svg"), "an SVG plot is written");
        assertEquals(List.of(), List.of(tmp.resolve("sink").toFile().list()).stream()
                .filter(f -> f.endsWith(".tmp")).toList(), "no scratch files beside the model");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(model)), "the model file is not changed");
    }

    @Test
    void aModelWithoutSinksHasNoThreshold() throws Exception {
        Path model = Samples.write("llama-torch-fp32", tmp.resolve("plain"));
        Cli.Outcome r = Cli.run("probe", model.toString(), "--repeats", "10,100", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no sink at BoS"), r.out());
        assertTrue(!r.out().matches("(?s).*\\d+\\s*$"), "no layer ends in a threshold count: " + r.out());
    }

    @Test
    void badProbeInputIsOneLine() throws Exception {
        Path model = Samples.write("llama-torch-fp32", tmp.resolve("plain"));
        Cli.Outcome r = Cli.run("probe", model.toString(), "--token", "999", "--device", "cpu");
        assertEquals(2, r.code());
        assertEquals(List.of("onnx-sinkfix: error: token id 999 is outside the vocabulary of 256"), r.errLines());
    }
}
