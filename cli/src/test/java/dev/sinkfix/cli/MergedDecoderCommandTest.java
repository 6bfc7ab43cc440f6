package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sinkfix.samples.MergedSample;
import dev.sinkfix.samples.Samples;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect, patch and tap from the command line on optimum's merged decoder (ORT behaviour: MergedDecoderPatchTest). */
class MergedDecoderCommandTest {
    @TempDir
    Path tmp;

    @Test
    void inspectDescribesBothBranchesAndPatchChangesBoth() throws Exception {
        Path merged = MergedSample.write(Samples.write("llama-torch-fp32", tmp.resolve("plain")), tmp.resolve("merged"));
        Cli.Outcome json = Cli.run("inspect", "--json", merged.toString());
        assertEquals(0, json.code(), json.err());
        JsonNode doc = Json.MAPPER.readTree(json.out());
        assertEquals(2, doc.get("decoder").get("layers").asInt());
        JsonNode m = doc.get("merged_decoder");
        assertEquals(MergedSample.USE_CACHE, m.get("condition").asText());
        assertEquals("then_branch", m.get("with_past_branch").asText());
        assertEquals(2, m.get("without_past").get("layers").asInt());
        assertEquals(0, m.get("without_past").get("kv_cache").size());
        Cli.Outcome text = Cli.run("inspect", merged.toString());
        assertTrue(text.out().contains("--- else_branch (without past) ---"), text.out());

        Path out = tmp.resolve("merged").resolve("p.onnx");
        Cli.Outcome patch = Cli.run("patch", merged.toString(), "--layer", "1", "--neurons", "3,40", "-o", out.toString());
        assertEquals(0, patch.code(), patch.err());
        assertTrue(patch.out().contains("patched in both branches, one state pair"), patch.out());
        JsonNode after = Json.MAPPER.readTree(Cli.run("inspect", "--json", out.toString()).out());
        assertEquals(1, after.get("sinkfix_patches").size());
        assertTrue(after.get("decoder").get("layer_details").get(1).get("recognized").asBoolean(),
                "the matcher sees the MLP through the patch in the with-past branch");
        assertTrue(after.get("merged_decoder").get("without_past").get("layer_details").get(1).get("recognized")
                .asBoolean(), "and in the without-past branch");
        Cli.Outcome again = Cli.run("patch", out.toString(), "--layer", "1", "--neurons", "3", "-o",
                tmp.resolve("merged").resolve("q.onnx").toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already patched"), again.err());

        Cli.Outcome tap = Cli.run("tap", out.toString(), "--site-neurons", "up:3", "--tap-layers", "1", "-o",
                tmp.resolve("merged").resolve("t.onnx").toString());
        assertEquals(0, tap.code(), tap.err());
        assertTrue(tap.out().contains("tap.site.1.up"), tap.out());
    }
}
