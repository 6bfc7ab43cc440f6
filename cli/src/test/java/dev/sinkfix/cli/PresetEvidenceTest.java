package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.samples.ExportStyle;
import dev.sinkfix.samples.Family;
import dev.sinkfix.samples.Precision;
import dev.sinkfix.samples.SampleSpec;
import dev.sinkfix.samples.SampleWriter;
import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presets by evidence, on 7B-shaped skeletons (sparse data, never run): the Llama-2-7B skeleton
 * sample, and Llama-1, Llama-3-8B and Mistral-7B shapes written here, with config variants.
 */
class PresetEvidenceTest {
    @TempDir
    Path tmp;

    private Path skeleton(String name, Family family, int intermediate, int kvHeads, int vocab, int context) throws Exception {
        SampleSpec spec = new SampleSpec(family, ExportStyle.GENAI, Precision.FP16, 32, 4096, intermediate, 32, kvHeads,
                vocab, context, 7);
        return SampleWriter.writeSkeleton(spec, tmp.resolve(name));
    }

    private static Cli.Outcome patch(Path model, String preset) {
        return Cli.run("patch", model.toString(), "--preset", preset, "-o",
                model.resolveSibling("patched-" + preset + ".onnx").toString());
    }

    private static void assertRefused(Cli.Outcome r, String... differences) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        for (String d : differences) {
            assertTrue(r.err().contains(d), "expected '" + d + "' in: " + r.err());
        }
        assertEquals("", r.out());
    }

    @Test
    void llama2PresetFitsTheSkeletonAndSaysWhatItChecked() throws Exception {
        Path model = Samples.writeLlama2_7bSkeleton(tmp.resolve("llama2"));
        Cli.Outcome r = patch(model, "llama-2-7b");
        assertEquals(0, r.code(), r.err());
        for (String fact : new String[] {"fits      family llama (genai_config.json)", "fits      layers 32 (graph)",
                "fits      hidden size 4096 (graph)", "fits      intermediate size 11008 (graph)",
                "fits      kv heads 32 (graph)", "fits      vocabulary 32000 (graph)",
                "fits      context 4096 (rotary table cos_cache)", "fits      vocabulary 32000 (genai_config.json)",
                "not said  intermediate size (genai_config.json does not say)"}) {
            assertTrue(r.out().contains(fact), fact + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("layer 1: pinned neurons [7890, 10411]"), r.out());
    }

    @Test
    void llama1AndLlama2AreToldApartByTheRotaryTableAndTheConfig() throws Exception {
        Path llama2 = Samples.writeLlama2_7bSkeleton(tmp.resolve("llama2"));
        assertRefused(patch(llama2, "llama-1-7b"), "preset llama-1-7b does not fit this model: "
                + "context 4096 (rotary table cos_cache), the preset's model has 2048 (to patch layer 2 neurons 7003 "
                + "anyway, give --layer 2 --neurons 7003)");

        Path llama1 = skeleton("llama1", Family.LLAMA, 11008, 32, 32000, 2048);
        Files.writeString(llama1.resolveSibling("config.json"),
                "{\"model_type\": \"llama\", \"max_position_embeddings\": 2048, \"hidden_size\": 4096}");
        assertRefused(patch(llama1, "llama-2-7b"), "context 2048 (rotary table cos_cache), the preset's model has 4096",
                "context 2048 (config.json), the preset's model has 4096");
        Cli.Outcome fits = patch(llama1, "llama-1-7b");
        assertEquals(0, fits.code(), fits.err());
        assertTrue(fits.out().contains("fits      context 2048 (config.json)"), fits.out());
        assertTrue(fits.out().contains("layer 2: pinned neurons [7003]"), fits.out());
    }

    @Test
    void llama3AndMistralPresetsRefuseEachOthersModels() throws Exception {
        Path mistral = skeleton("mistral", Family.MISTRAL, 14336, 8, 32000, 32768);
        Path llama3 = skeleton("llama3", Family.LLAMA, 14336, 8, 128256, 8192);

        assertRefused(patch(mistral, "llama-3-8b-instruct"),
                "family mistral (genai_config.json), the preset's model has llama",
                "vocabulary 32000 (graph), the preset's model has 128256");
        assertRefused(patch(llama3, "mistral-7b-instruct-v0.1"),
                "family llama (genai_config.json), the preset's model has mistral",
                "vocabulary 128256 (graph), the preset's model has 32000");

        assertEquals(0, patch(mistral, "mistral-7b-instruct-v0.1").code());
        assertEquals(0, patch(llama3, "llama-3-8b-instruct").code());
    }

    @Test
    void withoutAConfigTheGraphAloneStillRefusesALlama3Shape() throws Exception {
        Path llama3 = skeleton("bare", Family.LLAMA, 14336, 8, 128256, 8192);
        Files.delete(llama3.resolveSibling("genai_config.json"));
        Cli.Outcome r = patch(llama3, "mistral-7b-instruct-v0.1");
        assertRefused(r, "vocabulary 128256 (graph), the preset's model has 32000",
                "context 8192 (rotary table cos_cache), the preset's model has 32768");
        assertFalse(r.err().contains("family"), "nothing names the family here: not a reason to refuse, " + r.err());
        Cli.Outcome fits = patch(llama3, "llama-3-8b-instruct");
        assertEquals(0, fits.code(), fits.err());
        assertTrue(fits.out().contains("not said  family (the export does not say)"), fits.out());
    }

    @Test
    void aQwen2ConfigIsReportedAsQwen2AndIsPatchedOnlyAtChosenNeurons() throws Exception {
        Path model = Samples.write("llama-torch-fp32", tmp.resolve("qwen"));
        String config = Files.readString(model.resolveSibling("config.json"))
                .replace("\"model_type\": \"llama\"", "\"model_type\": \"qwen2\"")
                .replace("LlamaForCausalLM", "Qwen2ForCausalLM");
        Files.writeString(model.resolveSibling("config.json"), config);

        Cli.Outcome text = Cli.run("inspect", model.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("family       qwen2 (config.json says model_type \"qwen2\": not Llama or Mistral"),
                text.out());
        JsonNode d = new ObjectMapper().readTree(Cli.run("inspect", "--json", model.toString()).out()).get("decoder");
        assertEquals("qwen2", d.get("family").asText());
        assertEquals("qwen2", d.get("model_type").asText());

        assertRefused(patch(model, "llama-2-7b"), "family qwen2 (config.json), the preset's model has llama");
        Cli.Outcome chosen = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3");
        assertEquals(0, chosen.code(), chosen.err());
        assertTrue(chosen.out().contains("note: config.json says model_type \"qwen2\""), chosen.out());
    }

    @Test
    void aConfigThatSaysNothingUsableIsNotEvidence() throws Exception {
        Path model = Samples.write("llama-torch-fp32", tmp.resolve("junk"));
        for (String junk : new String[] {"{not json", "{\"model_type\": \"\\u0007\\n-- rm -rf\"}", "[1, 2]"}) {
            Files.writeString(model.resolveSibling("config.json"), junk);
            Cli.Outcome r = Cli.run("inspect", "--json", model.toString());
            assertEquals(0, r.code(), junk + ": " + r.err());
            JsonNode d = new ObjectMapper().readTree(r.out()).get("decoder");
            assertEquals("llama", d.get("family").asText(), junk);
            assertTrue(d.get("model_type").isNull(), junk);
        }
    }

    @Test
    void aLlamaConfigIsStillLlamaAndAMistralOneMistral() throws Exception {
        Path model = Samples.write("mistral-torch-fp32", tmp.resolve("mistral"));
        JsonNode d = new ObjectMapper().readTree(Cli.run("inspect", "--json", model.toString()).out()).get("decoder");
        assertEquals("mistral", d.get("family").asText());
        assertEquals("mistral", d.get("model_type").asText());
    }
}
