package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sinkfix.cli.HandPatch.Mutation;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * validate on patches it did not write, from the command line: the tool's own patch with its
 * metadata stripped, an independent patch in plain ONNX nodes ({@link HandPatch}), and mutants of
 * it, each failing with the check that catches it. On the TorchScript-style, genai (MultiHeadAttention)
 * and GQA (Mistral, GroupQueryAttention) samples.
 */
class ValidateForeignPatchTest {
    private static final List<Integer> NEURONS = List.of(3, 17);
    private static final Map<String, Path> ORIGINALS = new HashMap<>();
    private static Path tmp;

    /** One folder of samples for this class and {@link ValidateDynamicQuantTest}, removed at exit. */
    private static synchronized Path tmp() throws java.io.IOException {
        if (tmp == null) {
            tmp = java.nio.file.Files.createTempDirectory("sinkfix-validate-foreign-");
            Path dir = tmp;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = java.nio.file.Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (java.io.IOException ignored) {
                    // best effort: the folder is in the system's temp area
                }
            }));
        }
        return tmp;
    }

    static Path originalOf(String sample) throws Exception {
        return original(sample);
    }

    private static synchronized Path original(String sample) throws Exception {
        Path p = ORIGINALS.get(sample);
        if (p == null) {
            p = Samples.write(sample, tmp().resolve(sample));
            ORIGINALS.put(sample, p);
        }
        return p;
    }

    /** A hand patch of layer 1's up site, saved beside the original (sharing its data file). */
    static synchronized Path hand(String sample, Mutation mutation) throws Exception {
        Path original = original(sample);
        Path out = original.resolveSibling("hand-" + mutation.name().toLowerCase() + ".onnx");
        if (java.nio.file.Files.exists(out)) {
            return out;
        }
        Model m = ModelLoader.load(original);
        Decoder d = DecoderMatcher.match(m);
        DecoderLayer layer = d.layer(1);
        HandPatch.apply(m, layer.site(MlpSite.UP).name(), 1, NEURONS, (int) layer.mlp().intermediateSize(), 1,
                mutation, 40);
        ModelSaver.create().save(m, out);
        return out;
    }

    static Cli.Outcome validate(Path original, Path patched, String... more) {
        List<String> args = new ArrayList<>(List.of("validate", original.toString(), patched.toString(), "--device",
                "cpu", "--layer", "1", "--neurons", "3,17", "--json", "-"));
        args.addAll(Arrays.asList(more));
        return Cli.run(args.toArray(new String[0]));
    }

    static List<Integer> failed(JsonNode doc) {
        List<Integer> ids = new ArrayList<>();
        doc.get("checks").forEach(c -> {
            if (c.get("status").asText().equals("failed")) {
                ids.add(c.get("id").asInt());
            }
        });
        return ids;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-torch-fp32", "llama-genai-fp32", "mistral-genai-fp32"})
    void theToolsOwnPatchWithoutMetadataPassesWhenDescribed(String sample) throws Exception {
        Path original = original(sample);
        Path patched = original.resolveSibling("tool.onnx");
        Cli.Outcome p = Cli.run("patch", original.toString(), "--layer", "1", "--neurons", "3,17", "-o",
                patched.toString(), "--force");
        assertEquals(0, p.code(), p.err());
        Model m = ModelLoader.load(patched);
        m.metadata().keySet().removeIf(k -> k.startsWith("sinkfix."));
        Path stripped = original.resolveSibling("stripped.onnx");
        ModelSaver.create().save(m, stripped);

        Cli.Outcome r = validate(original, stripped);
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertEquals("command-line", doc.get("patch").get("source").asText());
        assertEquals(List.of(), failed(doc), r.out());
        assertTrue(doc.get("checks").get(1).get("compared").asLong() > 0, "check 2 ran: " + r.out());

        Cli.Outcome undescribed = Cli.run("validate", original.toString(), stripped.toString(), "--device", "cpu");
        assertEquals(2, undescribed.code(), undescribed.err());
        assertTrue(undescribed.err().contains("records no sink patch"), undescribed.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-torch-fp32", "llama-genai-fp32", "mistral-genai-fp32"})
    void anIndependentPatchPasses(String sample) throws Exception {
        Cli.Outcome r = validate(original(sample), hand(sample, Mutation.NONE));
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        JsonNode layer = doc.get("patch").get("layers").get(0);
        assertEquals("past_pinned.1", layer.get("state_input").asText());
        assertEquals("present_pinned.1", layer.get("state_output").asText());
        assertTrue(layer.get("patched_tensor").asText().startsWith("/hand/layers.1/"), layer.toString());
        doc.get("checks").forEach(c -> assertEquals("passed", c.get("status").asText(), c.toString()));
    }

    /** Each mutant fails, and among the failed checks is the one that must catch it. */
    @ParameterizedTest
    @CsvSource({
        "llama-torch-fp32, NEVER_CAPTURE, 5",
        "llama-torch-fp32, AT_CAPTURE, 1 4",
        "llama-torch-fp32, BEFORE_CAPTURE, 1 4",
        "llama-torch-fp32, WRONG_NEURON, 3 4 5",
        "llama-torch-fp32, ONLY_CAPTURE_CALL, 2 3",
        "llama-torch-fp32, STATE_WRONG_SHAPE, 2",
        "llama-torch-fp32, EXTRA_NEURON, 4",
        "llama-genai-fp32, ONLY_CAPTURE_CALL, 2 3",
        "llama-genai-fp32, STATE_WRONG_SHAPE, 2",
        "mistral-genai-fp32, NEVER_CAPTURE, 5",
        "mistral-genai-fp32, WRONG_NEURON, 3 4 5",
        "mistral-genai-fp32, STATE_WRONG_SHAPE, 2",
    })
    void eachMutantFailsWithTheCheckThatCatchesIt(String sample, Mutation mutation, String checks) throws Exception {
        Cli.Outcome r = validate(original(sample), hand(sample, mutation));
        assertEquals(1, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertTrue(!doc.get("passed").asBoolean());
        List<Integer> failed = failed(doc);
        for (String id : checks.split(" ")) {
            assertTrue(failed.contains(Integer.parseInt(id)), mutation + " must fail check " + id + "; failed "
                    + failed + ": " + r.out());
        }
    }

    /** The second call cannot be fed a state of the wrong shape: the runtime's own message fails check 2. */
    @Test
    void aRuntimeFailureInDecodeIsAFailureWithItsMessage() throws Exception {
        Cli.Outcome r = validate(original("llama-torch-fp32"), hand("llama-torch-fp32", Mutation.STATE_WRONG_SHAPE));
        assertEquals(1, r.code(), r.out() + r.err());
        JsonNode check2 = Json.MAPPER.readTree(r.out()).get("checks").get(1);
        assertEquals("failed", check2.get("status").asText());
        assertTrue(check2.get("run_failures").asLong() > 0, check2.toString());
        assertTrue(check2.get("detail").asText().contains("past_pinned.1"), check2.toString());
    }

    @Test
    void anInputItCannotDriveIsNamed() throws Exception {
        Cli.Outcome r = validate(original("llama-torch-fp32"), hand("llama-torch-fp32", Mutation.UNKNOWN_INPUT));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("input sink_scale float[1] is not one validate can drive"), r.err());
    }

    @Test
    void aSiteThePatchDidNotTouchIsRefusedByName() throws Exception {
        Path original = original("llama-torch-fp32");
        Cli.Outcome r = validate(original, hand("llama-torch-fp32", Mutation.NONE), "--site", "gate");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("still read it unchanged"), r.err());
    }

    /** The matcher sees through a patch it did not write: every layer is there, the rewritten site is named. */
    @ParameterizedTest
    @ValueSource(strings = {"up", "act", "hand"})
    void inspectSeesThroughAPatchWithoutMetadata(String kind) throws Exception {
        Path original = original("llama-torch-fp32");
        Path patched;
        if (kind.equals("hand")) {
            patched = hand("llama-torch-fp32", Mutation.NONE);
        } else {
            Path tool = original.resolveSibling("tool-" + kind + ".onnx");
            assertEquals(0, Cli.run("patch", original.toString(), "--layer", "1", "--neurons", "3,17", "--site", kind,
                    "-o", tool.toString(), "--force").code());
            Model m = ModelLoader.load(tool);
            m.metadata().keySet().removeIf(k -> k.startsWith("sinkfix."));
            patched = original.resolveSibling("stripped-" + kind + ".onnx");
            ModelSaver.create().overwrite(true).save(m, patched);
        }
        Cli.Outcome r = Cli.run("inspect", patched.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertEquals(2, doc.get("decoder").get("layers").asInt(), r.out());
        JsonNode rewritten = doc.get("rewritten_sites");
        assertEquals(1, rewritten.size(), rewritten.toString());
        assertEquals(1, rewritten.get(0).get("layer").asInt());
        assertEquals(kind.equals("hand") ? "up" : kind, rewritten.get(0).get("site").asText());

        Cli.Outcome text = Cli.run("inspect", patched.toString());
        assertTrue(text.out().contains("rewritten by nodes not in a standard MLP"), text.out());
        // Patching the rewritten layer again would stack on a rewrite nobody recorded: refused in one line.
        Path again = patched.resolveSibling("again-" + kind + ".onnx");
        Cli.Outcome repatch = Cli.run("patch", patched.toString(), "--layer", "1", "--neurons", "3", "-o", again.toString());
        assertEquals(2, repatch.code(), repatch.err());
        assertTrue(repatch.err().contains("rewritten by nodes not in a standard MLP"), repatch.err());
        assertTrue(Files.notExists(again));
        Cli.Outcome plain = Cli.run("inspect", original.toString(), "--json");
        assertEquals(0, Json.MAPPER.readTree(plain.out()).get("rewritten_sites").size());
    }

    /**
     * A static cache's write index ({@code cache_position}, as transformers' StaticCache exports take it) is not
     * an input validate can drive: refused before any call, naming it and what it would need; never exit 70.
     */
    @Test
    void aStaticCacheWriteIndexIsNamedNotGuessed() throws Exception {
        Path original = original("llama-torch-fp32");
        Model m = ModelLoader.load(original);
        m.graph().addInput("cache_position", dev.sinkfix.surgery.ir.TensorType.of(
                dev.sinkfix.surgery.ir.DataType.INT64, dev.sinkfix.surgery.ir.Dim.named("sequence_length")));
        Path withIndex = original.resolveSibling("static-index.onnx");
        ModelSaver.create().overwrite(true).save(m, withIndex);
        Path patched = original.resolveSibling("static-index-patched.onnx");
        assertEquals(0, Cli.run("patch", withIndex.toString(), "--layer", "1", "--neurons", "3,17", "-o",
                patched.toString(), "--force").code());
        Cli.Outcome r = Cli.run("validate", withIndex.toString(), patched.toString(), "--device", "cpu");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("input cache_position int64[sequence_length] is not one validate can drive"),
                r.err());
        assertTrue(r.err().contains("would need a value for every call"), r.err());
    }

    /** Every site, stripped of its metadata and described on the command line: the gate has two readers. */
    @ParameterizedTest
    @ValueSource(strings = {"gate", "act"})
    void everySiteOfAStrippedPatchPasses(String site) throws Exception {
        Path original = original("llama-torch-fp32");
        Path tool = original.resolveSibling("every-" + site + ".onnx");
        assertEquals(0, Cli.run("patch", original.toString(), "--layer", "1", "--neurons", "3,17", "--site", site,
                "--capture-position", "2", "-o", tool.toString(), "--force").code());
        Model m = ModelLoader.load(tool);
        m.metadata().keySet().removeIf(k -> k.startsWith("sinkfix."));
        Path stripped = original.resolveSibling("every-" + site + "-stripped.onnx");
        ModelSaver.create().overwrite(true).save(m, stripped);
        Cli.Outcome r = validate(original, stripped, "--site", site, "--capture-position", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.Outcome wrongCapture = validate(original, stripped, "--site", site, "--capture-position", "1");
        assertEquals(1, wrongCapture.code(), wrongCapture.out() + wrongCapture.err());
    }
}
