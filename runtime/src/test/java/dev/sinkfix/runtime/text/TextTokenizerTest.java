package dev.sinkfix.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.generate.RealExport;
import dev.sinkfix.surgery.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real export's Llama tokenizer.json through Hugging Face tokenizers. */
class TextTokenizerTest {
    private static TextTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        tokenizer = TextTokenizer.open(RealExport.folder().resolve("tokenizer.json"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encodesLikeLlamaAndRoundTrips() {
        String text = "Hello world, héllo 😀 the end";
        long[] ids = tokenizer.encode(text);
        // SentencePiece BPE with byte fallback: BoS, "▁Hello", "▁world", ",", ..., the emoji as 4 byte tokens.
        assertArrayEquals(new long[] {1, 15043, 3186, 29892, 298, 3610, 417, 29871, 243, 162, 155, 131, 278, 1095}, ids);
        assertEquals(text, tokenizer.decode(ids));
        assertArrayEquals(java.util.Arrays.copyOfRange(ids, 1, ids.length), tokenizer.encodePlain(text));
        assertEquals(OptionalLong.of(1), tokenizer.bosId());
        assertEquals(OptionalLong.of(2), tokenizer.idOf("</s>"));
        assertEquals(OptionalLong.empty(), tokenizer.idOf("two words"));
    }

    @Test
    void aLongPromptIsNotTruncated() {
        assertEquals(1 + 1 + 3000, tokenizer.encode(" the".repeat(3000)).length, "BoS, '▁', then 3000 x '▁the'");
    }

    @Test
    void streamsTextAsItBecomesCertain() {
        long[] prompt = tokenizer.encode("Say");
        long[] generated = tokenizer.encodePlain("hi 😀 there"); // "▁hi", "▁", 4 bytes, "▁there"
        TextStream stream = new TextStream(tokenizer, prompt[prompt.length - 1]);
        StringBuilder out = new StringBuilder();
        for (long id : generated) {
            String piece = stream.push(id);
            assertTrue(!piece.contains("\uFFFD"), "no half character is handed out: '" + piece + "'");
            out.append(piece);
        }
        out.append(stream.finish());
        assertEquals(" hi 😀 there", out.toString(), "the leading space of the first new token is kept");
        assertEquals(" hi 😀 there", stream.text());
    }

    @Test
    void specialIdsPreferTheTokenizerAndNoteTheDisagreement() {
        ModelFolder folder = ModelFolder.of(RealExport.model());
        assertEquals(OptionalLong.of(0), folder.genaiBosId());
        assertEquals(Set.of(1L), folder.genaiEosIds());
        assertEquals(OptionalLong.of(2048), folder.contextLength());
        SpecialIds ids = SpecialIds.resolve(folder, Optional.of(tokenizer));
        assertEquals(1, ids.bos());
        assertEquals("tokenizer.json", ids.bosSource());
        assertEquals(Set.of(2L), ids.stops());
        assertEquals(List.of("genai_config.json says bos_token_id 0 but tokenizer.json begins prompts with 1; using 1",
                "genai_config.json says eos_token_id [1] but tokenizer_config.json's </s> is 2; stopping at 2"), ids.notes());
    }

    @Test
    void withoutConfigsTheDefaultsApply() throws Exception {
        Path model = Files.writeString(dir.resolve("model.onnx"), "not read here");
        SpecialIds ids = SpecialIds.resolve(ModelFolder.of(model), Optional.empty());
        assertEquals(new SpecialIds(1, "default", Set.of(), "none", Optional.empty(), Optional.empty()), ids);
        assertEquals(Optional.empty(), ModelFolder.of(dir).tokenizerJson());
        Files.writeString(dir.resolve("genai_config.json"), "{\"model\": {\"bos_token_id\": 5, \"eos_token_id\": [7, 8]}}");
        assertEquals(new SpecialIds(5, "genai_config.json", Set.of(7L, 8L), "genai_config.json", Optional.empty(), Optional.empty()),
                SpecialIds.resolve(ModelFolder.of(dir), Optional.empty()));
        Files.writeString(dir.resolve("genai_config.json"), "{\"model\": {}}");
        Files.writeString(dir.resolve("config.json"),
                "{\"bos_token_id\": 1, \"eos_token_id\": 2, \"pad_token_id\": -1, \"max_position_embeddings\": 4096}");
        assertEquals(OptionalLong.of(4096), ModelFolder.of(dir).contextLength());
        assertEquals("config.json", ModelFolder.of(dir).contextLengthSource());
        assertEquals(new SpecialIds(1, "config.json", Set.of(2L), "config.json", Optional.empty(), Optional.empty()),
                SpecialIds.resolve(ModelFolder.of(dir), Optional.empty()), "Hugging Face's config.json, as optimum copies it");
        Files.writeString(dir.resolve("genai_config.json"), "{oops");
        assertTrue(assertThrows(BadInputException.class, () -> ModelFolder.of(model)).getMessage()
                .startsWith("cannot read " + dir.resolve("genai_config.json") + ": not valid JSON"));
        assertEquals("cannot read the model " + dir.resolve("none.onnx") + ": no such file",
                assertThrows(BadInputException.class, () -> ModelFolder.of(dir.resolve("none.onnx"))).getMessage());
        assertEquals("no tokenizer at " + dir.resolve("tokenizer.json"),
                assertThrows(BadInputException.class, () -> TextTokenizer.open(dir.resolve("tokenizer.json"))).getMessage());
    }
}
