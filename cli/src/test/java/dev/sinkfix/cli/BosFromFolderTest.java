package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** probe and validate start their prompts with the BoS of the model folder's tokenizer, as run does; --bos overrides. */
class BosFromFolderTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path patched;

    @BeforeAll
    static void copyTheRealExport() throws Exception {
        Path real = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16");
        Path copy = Files.createDirectories(tmp.resolve("real"));
        for (String f : List.of("model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json",
                "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(real.resolve(f), copy.resolve(f));
        }
        model = copy.resolve("model.onnx");
        patched = copy.resolve("patched.onnx");
        assertEquals(0, Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "5,40", "-o",
                patched.toString()).code());
    }

    @Test
    void validateReportsTheTokenizersBosOrTheGivenOne() throws Exception {
        Cli.Outcome r = Cli.run("validate", model.toString(), patched.toString(), "--device", "cpu", "--json", "-");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        assertEquals("tokenizer.json", doc.get("bos_source").asText());

        Cli.Outcome given = Cli.run("validate", model.toString(), patched.toString(), "--device", "cpu", "--bos", "2",
                "--json", "-");
        assertEquals(0, given.code(), given.out() + given.err());
        JsonNode g = Json.MAPPER.readTree(given.out());
        assertEquals("--bos", g.get("bos_source").asText());
        assertEquals(2, g.get("bos").asLong());
    }

    @Test
    void probeReportsItToo() throws Exception {
        Cli.Outcome r = Cli.run("probe", model.toString(), "--repeats", "5", "--device", "cpu", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("tokenizer.json", Json.MAPPER.readTree(r.out()).get("bos_source").asText());
    }
}
