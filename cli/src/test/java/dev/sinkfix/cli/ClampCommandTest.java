package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code patch --mode clamp} end to end: ranges printed and recorded, inspect shows them, validate passes. */
class ClampCommandTest {
    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void sample() throws Exception {
        model = Samples.write("llama-sink-fp32", tmp.resolve("m"));
    }

    @Test
    void calibratesPrintsRecordsInspectsAndValidates() throws Exception {
        Path ids = Files.writeString(tmp.resolve("calibration.txt"), "1, 20, 30, 40, 50, 60, 70, 80\n1,5,6,7,8,9\n");
        Path out = tmp.resolve("clamp.onnx");
        Cli.Outcome r = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "42,137", "--mode", "clamp",
                "--calibration", ids.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer 1: clamped neurons [42, 137]"), r.out());
        assertTrue(r.out().contains("  neuron 42: range "), r.out());
        assertTrue(r.out().contains("ranges calibrated on 10 prompts"), r.out());
        assertTrue(r.out().contains("margin 0.25"), r.out());
        assertFalse(r.out().contains("past_sink_state"), r.out());
        Model patched = ModelLoader.load(out);
        assertEquals("clamp", patched.metadata().get("sinkfix.layer.1.mode"));
        assertEquals(2, patched.metadata().get("sinkfix.layer.1.ranges").split(",").length);
        assertEquals(ModelLoader.load(model).graph().inputs().size(), patched.graph().inputs().size());

        Cli.Outcome text = Cli.run("inspect", out.toString());
        assertTrue(text.out().contains("mode clamp (stateless), ranges 42=["), text.out());
        JsonNode json = new ObjectMapper().readTree(Cli.run("inspect", out.toString(), "--json").out());
        JsonNode patch = json.get("sinkfix_patches").get(0);
        assertEquals("clamp", patch.get("mode").asText());
        assertEquals(42, patch.get("ranges").get(0).get("neuron").asInt());
        assertTrue(patch.get("ranges").get(0).get("lo").asDouble() < patch.get("ranges").get(0).get("hi").asDouble());

        Cli.Outcome v = Cli.run("validate", model.toString(), out.toString(), "--device", "cpu");
        assertEquals(0, v.code(), v.out() + v.err());
        assertTrue(v.out().contains("[pass] range"), v.out());
        assertTrue(v.out().contains("all checks passed"), v.out());
        JsonNode doc = new ObjectMapper().readTree(Cli.run("validate", model.toString(), out.toString(), "--device",
                "cpu", "--json", "-").out());
        assertEquals("onnx-sinkfix/validate-clamp/1", doc.get("schema").asText());
        assertTrue(doc.get("passed").asBoolean());
        assertTrue(doc.get("clamped_values").asLong() > 0, "the repeat prompt drives the sink neurons out of range");
    }

    @Test
    void givenRangesAreUsedAsTheyAreWithoutCalibrating() throws Exception {
        Path out = tmp.resolve("given.onnx");
        Cli.Outcome r = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "42,137", "--mode", "clamp",
                "--clamp", "42=-1.5:2.0", "--clamp", "1:137=0:3", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Model patched = ModelLoader.load(out);
        assertEquals("-1.5:2.0,0.0:3.0", patched.metadata().get("sinkfix.layer.1.ranges"));
        assertEquals("given with --clamp", patched.metadata().get("sinkfix.layer.1.range_source"));
        assertEquals(0, Cli.run("validate", model.toString(), out.toString(), "--device", "cpu").code());
    }

    @Test
    void replaySaysWhereItRunsAndClampOptionsAreRefusedThere() {
        Cli.Outcome r = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "42", "-o",
                tmp.resolve("replay.onnx").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("runs where the runtime threads past_sink_state.1 -> present_sink_state.1 between "
                + "calls"), r.out());
        assertTrue(r.out().contains("use --mode clamp"), r.out());
        Cli.Outcome bad = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "42", "--clamp", "42=0:1",
                "-o", tmp.resolve("x.onnx").toString());
        assertEquals(2, bad.code());
        assertEquals("onnx-sinkfix: error: --clamp and --calibration belong to --mode clamp", bad.err().trim());
    }

    @Test
    void badModesAndRangesAreOneLineAndWriteNothing() {
        Path out = tmp.resolve("never.onnx");
        String[][] cases = {
            {"--mode", "stateless"}, {"--mode", "clamp", "--clamp", "99=0:1"}, {"--mode", "clamp", "--clamp", "42=2:1"},
            {"--mode", "clamp", "--clamp", "42:0:1"}, {"--mode", "clamp", "--clamp", "3:42=0:1"},
            {"--mode", "clamp", "--clamp-margin", "-1"},
        };
        String[] expected = {"unknown mode 'stateless'; expected replay or clamp", "neuron 99 is not among the neurons",
            "is not LO:HI with finite LO <= HI", "is not [LAYER:]NEURON=LO:HI", "layer 3 is not being patched",
            "the clamp margin must be 0 or more"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[6 + cases[i].length];
            System.arraycopy(new String[] {"patch", model.toString(), "--layer", "1", "--neurons", "42,137"}, 0, args, 0, 6);
            System.arraycopy(cases[i], 0, args, 6, cases[i].length);
            String[] withOut = java.util.Arrays.copyOf(args, args.length + 2);
            withOut[args.length] = "-o";
            withOut[args.length + 1] = out.toString();
            Cli.Outcome r = Cli.run(withOut);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
            assertFalse(Files.exists(out));
        }
    }
}
