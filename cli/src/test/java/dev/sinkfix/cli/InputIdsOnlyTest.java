package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sinkfix.samples.InputIdsOnly;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with nothing but {@code input_ids} of a fixed shape (as optimised dynamo exports ship):
 * every command works on it under ONNX Runtime, positions being 0..seq-1 and the shape respected.
 */
class InputIdsOnlyTest {
    private static final int ROWS = 2;
    private static final int SEQ = 48;

    @TempDir
    static Path tmp;
    static Path model;
    static Path patched;

    @BeforeAll
    static void write() throws Exception {
        model = InputIdsOnly.write("llama-sink-fp32", tmp.resolve("ids-only"), ROWS, SEQ);
        Model m = ModelLoader.load(model);
        assertEquals(1, m.graph().inputs().size(), "only input_ids");
        patched = tmp.resolve("ids-only").resolve("patched.onnx");
        Cli.Outcome p = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "42,137", "-o",
                patched.toString());
        assertEquals(0, p.code(), p.out() + p.err());
    }

    @Test
    void inspectSaysPositionsAreTheColumns() {
        Cli.Outcome r = Cli.run("inspect", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layers"), r.out());
    }

    @Test
    void validatePassesWithTheFixedShapeAndSaysWhyStepsDoNotApply() throws Exception {
        Cli.Outcome r = Cli.run("validate", model.toString(), patched.toString(), "--device", "cpu", "--json", "-");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        doc.get("prompts").forEach(p -> {
            assertEquals(ROWS, p.get("rows").asInt(), p.toString());
            assertEquals(SEQ, p.get("tokens").asInt(), p.toString());
        });
        for (int id : new int[] {1, 3, 4, 5, 6}) {
            assertEquals("passed", doc.get("checks").get(id - 1).get("status").asText(), doc.toString());
        }
        JsonNode steps = doc.get("checks").get(1);
        assertEquals("not-applicable", steps.get("status").asText(), steps.toString());
        assertTrue(doc.get("effects").get("residual_norms").get("repeated_median_patched").asDouble()
                < doc.get("effects").get("residual_norms").get("repeated_median_original").asDouble(), doc.toString());
    }

    @Test
    void aMutantIsStillCaught() throws Exception {
        Cli.Outcome r = Cli.run("validate", model.toString(), patched.toString(), "--device", "cpu", "--json", "-",
                "--layer", "1", "--neurons", "42,138");
        assertEquals(1, r.code(), r.out() + r.err());
    }

    @Test
    void probeRunsTheRepeatTaskWithinTheFixedLength() throws Exception {
        Cli.Outcome r = Cli.run("probe", model.toString(), "--patched", patched.toString(), "--repeats", "10,40",
                "--layer", "1", "--device", "cpu", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertTrue(doc.toString().contains("\"original\""), doc.toString());

        Cli.Outcome tooLong = Cli.run("probe", model.toString(), "--repeats", "100", "--device", "cpu");
        assertEquals(2, tooLong.code(), tooLong.out() + tooLong.err());
        assertTrue(tooLong.err().contains("exactly " + SEQ + " tokens"), tooLong.err());
    }

    @Test
    void tapAddsOutputsThatRun() {
        Path tapped = tmp.resolve("ids-only").resolve("tapped.onnx");
        Cli.Outcome r = Cli.run("tap", model.toString(), "-o", tapped.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.Outcome run = Cli.run("run", tapped.toString(), "--ids", "1,5,9", "--device", "cpu");
        assertEquals(0, run.code(), run.out() + run.err());
    }

    @Test
    void runDoesOneWholePassOfTheFixedShape() {
        for (Path m : new Path[] {model, patched}) {
            Cli.Outcome r = Cli.run("run", m.toString(), "--ids", "1,5,9,200", "--device", "cpu");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("no KV cache"), r.err());
        }
        Cli.Outcome tooLong = Cli.run("run", model.toString(), "--repeat", "100", "--count", "60", "--device", "cpu");
        assertEquals(2, tooLong.code(), tooLong.out() + tooLong.err());
    }
}
