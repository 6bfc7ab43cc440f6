package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {
    @TempDir
    Path dir;

    @Test
    void presetsAreListedAndUnknownNamesSayWhatExists() {
        assertTrue(Samples.presetNames().containsAll(List.of("llama-torch-fp32", "llama-torch-fp16",
                "llama-genai-fp32", "llama-genai-fp16", "mistral-torch-fp32", "mistral-torch-fp16",
                "mistral-genai-fp32", "mistral-genai-fp16", "llama-dynamo-fp32", "llama-sink-fp32", "llama-sink-genai-fp16",
                "mid")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samples.preset("llama"));
        assertTrue(e.getMessage().contains("llama-torch-fp32"), e.getMessage());
        SampleSpec mid = Samples.preset("mid");
        assertEquals(8, mid.layers());
        assertEquals(1024, mid.hidden());
        assertEquals(2816, mid.intermediate());
    }

    @Test
    void specRefusesShapesNoModelHas() {
        SampleSpec s = Samples.preset("mistral-torch-fp32");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SampleSpec(s.family(),
                s.style(), s.dtype(), 2, 64, 176, 4, 3, 256, 128, 1));
        assertTrue(e.getMessage().contains("kvHeads 3"), e.getMessage());
    }

    /** The same spec must give the same bytes: tests and benchmarks name models instead of storing them. */
    @Test
    void writingIsDeterministic() throws Exception {
        for (String preset : List.of("mistral-torch-fp16", "llama-genai-fp32")) {
            Path a = Samples.write(preset, dir.resolve("a-" + preset));
            Path b = Samples.write(preset, dir.resolve("b-" + preset));
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), preset + " model.onnx");
            if (Files.exists(a.resolveSibling(SampleWriter.DATA_FILE))) {
                assertArrayEquals(Files.readAllBytes(a.resolveSibling(SampleWriter.DATA_FILE)),
                        Files.readAllBytes(b.resolveSibling(SampleWriter.DATA_FILE)), preset + " data");
            }
        }
    }

    @Test
    void rewritingAFolderReplacesTheSample() throws Exception {
        Path first = Samples.write("llama-genai-fp16", dir);
        Path second = Samples.write("llama-genai-fp16", dir);
        assertEquals(first, second);
        Path torch = Samples.write("llama-torch-fp32", dir.resolve("t"));
        assertEquals(torch, Samples.write("llama-torch-fp32", dir.resolve("t")));
    }
}
