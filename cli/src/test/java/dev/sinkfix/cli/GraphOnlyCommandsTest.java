package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graph shared without its weights: inspect warns, patch and tap need --allow-missing-data, nothing runs it. */
class GraphOnlyCommandsTest {
    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void copy() throws Exception {
        model = RealExportCopies.graphOnly(tmp.resolve("graph"));
    }

    @Test
    void inspectWorksAndWarnsInOneLineNamingTheFile() throws Exception {
        Cli.Outcome text = Cli.run("inspect", model.toString());
        assertEquals(0, text.code(), text.err());
        assertEquals(List.of("onnx-sinkfix: warning: external data file 'model.onnx.data' is absent from "
                + model.getParent() + ": a graph-only model (inspect reads the graph; running it needs that file)"),
                text.errLines());
        assertTrue(text.out().contains("shape        2 layers, hidden 16, intermediate 64"), text.out());
        assertTrue(text.out().contains("model.onnx.data: 23 tensors, 2.0 MiB (ABSENT"), text.out());

        Cli.Outcome json = Cli.run("inspect", "--json", model.toString());
        assertEquals(0, json.code(), json.err());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals("model.onnx.data", doc.get("missing_data").get(0).asText());
        assertEquals(1, doc.get("missing_data").size());
        Cli.Outcome whole = Cli.run("inspect", "--json", RealExportCopies.REAL.resolve("model.onnx").toString());
        assertFalse(new ObjectMapper().readTree(whole.out()).has("missing_data"), "absent only when a file is");
    }

    @Test
    void patchRefusesUnlessAllowedThenKeepsTheDataNameAndSaysSo() throws Exception {
        Cli.Outcome refused = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3");
        assertEquals(2, refused.code());
        assertEquals(1, refused.errLines().size(), refused.err());
        assertTrue(refused.err().contains("'model.onnx.data'") && refused.err().contains("--allow-missing-data"),
                refused.err());
        assertFalse(Files.exists(model.resolveSibling("model.sinkfix.onnx")));

        Cli.Outcome allowed = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3", "--allow-missing-data");
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().contains("the output refers to 'model.onnx.data' as the input did, which is absent: "
                + "put it beside model.sinkfix.onnx before running it"), allowed.out());
        Path out = model.resolveSibling("model.sinkfix.onnx");
        JsonNode doc = new ObjectMapper().readTree(Cli.run("inspect", "--json", out.toString()).out());
        assertEquals("model.onnx.data", doc.get("missing_data").get(0).asText());
        assertEquals(1, doc.get("sinkfix_patches").size());

        // Put the weights beside it and the patched graph runs: the reference was kept, not guessed.
        Files.copy(RealExportCopies.REAL.resolve("model.onnx.data"), out.resolveSibling("model.onnx.data"));
        Cli.Outcome run = Cli.run("run", out.toString(), "--ids", "1,450,22", "--max-new-tokens", "2", "--device", "cpu");
        assertEquals(0, run.code(), run.err());
    }

    @Test
    void tapRefusesUnlessAllowed() {
        Cli.Outcome refused = Cli.run("tap", model.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("'model.onnx.data'"), refused.err());
        Cli.Outcome allowed = Cli.run("tap", model.toString(), "--allow-missing-data");
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().contains("the output refers to 'model.onnx.data'"), allowed.out());
    }

    @Test
    void runValidateProbeAndDiffRefuseWithExitTwoNamingTheFile() throws Exception {
        Path whole = RealExportCopies.REAL.resolve("model.onnx");
        List<String[]> commands = List.of(
                new String[] {"run", model.toString(), "--ids", "1,2", "--device", "cpu"},
                new String[] {"validate", model.toString(), whole.toString(), "--device", "cpu"},
                new String[] {"probe", model.toString(), "--device", "cpu"},
                new String[] {"diff", whole.toString(), model.toString()});
        for (String[] args : commands) {
            Cli.Outcome r = Cli.run(args);
            assertEquals(2, r.code(), args[0] + ": " + r.err());
            assertEquals(1, r.errLines().size(), args[0] + ": " + r.err());
            assertTrue(r.err().startsWith("onnx-sinkfix: error: external data file 'model.onnx.data' (tensor '"),
                    args[0] + ": " + r.err());
            assertTrue(r.err().contains("does not exist in " + model.getParent()), args[0] + ": " + r.err());
        }
    }

    @Test
    void anEscapingReferenceIsRefusedInEveryMode() throws Exception {
        // The real graph, its data reference bent to leave the folder: refused with or without --allow-missing-data.
        byte[] bytes = Files.readAllBytes(model);
        String graph = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        Path hostile = Files.write(model.resolveSibling("hostile.onnx"),
                graph.replace("model.onnx.data", "../model.o.data").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (String[] args : List.of(new String[] {"inspect", hostile.toString()},
                new String[] {"patch", hostile.toString(), "--layer", "1", "--neurons", "3", "--allow-missing-data"},
                new String[] {"tap", hostile.toString(), "--allow-missing-data"},
                new String[] {"run", hostile.toString(), "--ids", "1,2", "--device", "cpu"})) {
            Cli.Outcome r = Cli.run(args);
            assertEquals(2, r.code(), args[0] + ": " + r.err());
            assertTrue(r.err().contains("external data location '../model.o.data' leaves the model's folder"),
                    args[0] + ": " + r.err());
        }
        try (var files = Files.list(model.getParent())) {
            assertEquals(6, files.count(), "nothing written");
        }
    }
}
