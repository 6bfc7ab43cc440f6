package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.runtime.text.TextTokenizer;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REAL = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16");

    @TempDir
    static Path tmp;
    private static Path sample;

    @BeforeAll
    static void sample() throws Exception {
        sample = Samples.write("llama-torch-fp32", tmp.resolve("torch"));
    }

    @Test
    void streamsIdsThenTheTimingsOnTheCpu() {
        Cli.Outcome r = Cli.run("run", sample.toString(), "--ids", "1,17,42,99", "--max-new-tokens", "5", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), r.errLines(), "no warning when the CPU is asked for");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("\\d+( \\d+){4}"), "five ids on the first line: " + lines.get(0));
        assertTrue(r.out().contains("prompt       4 tokens (ids)\n"), r.out());
        assertTrue(r.out().contains("generated    5 tokens, reached --max-new-tokens"), r.out());
        assertTrue(r.out().matches("(?s).*prefill      \\d+\\.\\d\\d ms\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*decode       median \\d+\\.\\d\\d ms/token, \\d+\\.\\d tokens/s \\(4 steps\\)\\n.*"),
                r.out());
        assertTrue(r.out().contains("provider     cpu\n"), r.out());
    }

    @Test
    void autoFallsBackToTheCpuWithOneWarningLine() throws Exception {
        Cli.Outcome r = Cli.run("run", sample.toString(), "--ids", "1,17,42", "--max-new-tokens", "3", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        assumeFalse(doc.get("provider").asText().equals("cuda"), "CUDA works on this machine: nothing falls back");
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("onnx-sinkfix: warning: CUDA execution provider unavailable: "), r.err());
        assertTrue(r.errLines().get(0).endsWith("; running on CPU"), r.err());
        assertEquals("cpu", doc.get("provider").asText());
        assertTrue(doc.get("fallback_reason").asText().startsWith("CUDA execution provider unavailable: "));
        assertEquals(3, doc.at("/generated/tokens").asInt());
    }

    @Test
    void cudaWhereThereIsNoneExitsThreeWithTheReasonInOneLine() {
        Cli.Outcome r = Cli.run("run", sample.toString(), "--ids", "1,2", "--device", "cuda");
        assumeFalse(r.code() == 0, "CUDA works on this machine; RunOnGpuTest covers it");
        assertEquals(ExitCodes.RUNTIME_FAILURE, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("onnx-sinkfix: error: CUDA execution provider unavailable: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void textInAndOutThroughTheTokenizer() throws Exception {
        String prompt = "Hello world, how are you?";
        Cli.Outcome json = Cli.run("run", REAL.toString(), "--prompt", prompt, "--max-new-tokens", "8", "--device", "cpu",
                "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode doc = JSON.readTree(json.out());
        long[] promptIds = ids(doc.at("/prompt/ids"));
        long[] generated = ids(doc.at("/generated/ids"));
        try (TextTokenizer tokenizer = TextTokenizer.open(REAL.resolve("tokenizer.json"))) {
            assertArrayEquals(tokenizer.encode(prompt), promptIds);
            assertEquals(1, promptIds[0], "BoS added by the tokenizer");
            assertEquals(prompt, tokenizer.decode(promptIds), "the prompt round-trips");
            assertEquals(tokenizer.decode(generated), doc.at("/generated/text").asText());
        }
        assertEquals("text", doc.at("/prompt/source").asText());
        assertEquals(List.of(2L), List.of(ids(doc.get("stop_tokens"))).stream()
                .flatMap(a -> java.util.Arrays.stream(a).boxed()).toList());

        Cli.Outcome streamed = Cli.run("run", REAL.toString(), "--prompt", prompt, "--max-new-tokens", "8",
                "--device", "cpu");
        assertEquals(0, streamed.code(), streamed.err());
        String firstLine = streamed.out().lines().findFirst().orElseThrow();
        assertEquals(" " + doc.at("/generated/text").asText(), firstLine,
                "the stream is the same text, with the space that separates it from the prompt");
        assertTrue(streamed.out().contains("note         genai_config.json says bos_token_id 0 but tokenizer.json"),
                streamed.out());
    }

    @Test
    void repeatBuildsBosAndTheTokenNTimes() throws Exception {
        Cli.Outcome text = Cli.run("run", REAL.resolve("model.onnx").toString(), "--repeat", "the", "--count", "30",
                "--max-new-tokens", "2", "--device", "cpu", "--json");
        assertEquals(0, text.code(), text.err());
        long[] ids = ids(JSON.readTree(text.out()).at("/prompt/ids"));
        assertEquals(31, ids.length);
        assertEquals(1, ids[0]);
        assertTrue(java.util.Arrays.stream(ids, 1, 31).allMatch(id -> id == 278), "'the' is id 278");

        Cli.Outcome byId = Cli.run("run", sample.toString(), "--repeat", "7", "--count", "3", "--max-new-tokens", "1",
                "--device", "cpu", "--json");
        assertEquals(0, byId.code(), byId.err());
        JsonNode doc = JSON.readTree(byId.out());
        assertArrayEquals(new long[] {1, 7, 7, 7}, ids(doc.at("/prompt/ids")));
        assertEquals("default", doc.at("/prompt/bos_source").asText());
        assertTrue(doc.at("/timing/decode_ms_median").isNull(), "one new token: no decode step");
    }

    @Test
    void seededSamplingRepeatsAndStopTokensEndEarly() throws Exception {
        String[] args = {"run", sample.toString(), "--ids", "1,5,9", "--max-new-tokens", "8", "--device", "cpu", "--json",
            "--temperature", "1.3", "--top-k", "20", "--top-p", "0.9", "--seed", "77"};
        JsonNode first = JSON.readTree(Cli.run(args).out());
        JsonNode again = JSON.readTree(Cli.run(args).out());
        assertEquals(first.at("/generated/ids"), again.at("/generated/ids"));
        assertEquals(77, first.at("/sampling/seed").asLong());

        JsonNode greedy = JSON.readTree(Cli.run("run", sample.toString(), "--ids", "1,5,9", "--max-new-tokens", "8",
                "--device", "cpu", "--json").out());
        long stop = greedy.at("/generated/ids/1").asLong();
        Cli.Outcome stopped = Cli.run("run", sample.toString(), "--ids", "1,5,9", "--max-new-tokens", "8",
                "--device", "cpu", "--stop", Long.toString(stop));
        assertEquals(0, stopped.code(), stopped.err());
        long position = greedy.at("/generated/ids/0").asLong() == stop ? 1 : 2;
        assertTrue(stopped.out().contains("generated    " + position + " tokens, ended at stop token " + stop),
                stopped.out());
        Cli.Outcome seedAlone = Cli.run("run", sample.toString(), "--ids", "1,5,9", "--max-new-tokens", "2",
                "--device", "cpu", "--seed", "3");
        assertTrue(seedAlone.out().contains("sampling     greedy\n"), seedAlone.out());
        assertTrue(seedAlone.out().contains("note         --top-k, --top-p and --seed apply to sampling only; "
                + "--temperature 0 is greedy"), seedAlone.out());
    }

    @Test
    void anUnknownCacheProtocolGetsOneFullPassAndTheReason() throws Exception {
        Model model = ModelLoader.load(sample);
        model.graph().addInput("cache_position", TensorType.of(DataType.INT64, Dim.named("sequence_length")));
        Path odd = tmp.resolve("odd.onnx");
        ModelSaver.create().save(model, odd);
        Cli.Outcome r = Cli.run("run", odd.toString(), "--ids", "1,5,9", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("onnx-sinkfix: warning: generation is not available for this model: input cache_position "
                + "int64[sequence_length] is not one it can fill between steps (onnx-sinkfix fills input_ids, "
                + "attention_mask, position_ids and past*/present* state); ran one full-sequence pass instead"), r.errLines());
        assertTrue(r.out().matches("(?s)next token   \\d+\\n.*"), r.out());
        assertTrue(r.out().contains("filled       cache_position: 0..2 (the positions of a first call)"), r.out());
        JsonNode doc = JSON.readTree(Cli.run("run", odd.toString(), "--ids", "1,5,9", "--device", "cpu", "--json").out());
        assertEquals(false, doc.get("generation_available").asBoolean());
        assertTrue(doc.at("/full_pass/next_token").isIntegralNumber());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        String m = sample.toString();
        refused("--prompt needs a tokenizer.json beside the model", m, "--prompt", "hi");
        refused("token id 300 is outside the model's vocabulary of 256 (0 to 255)", m, "--ids", "1,300", "--device", "cpu");
        refused("--max-new-tokens must be 1 or more, got 0", m, "--ids", "1", "--max-new-tokens", "0");
        refused("--temperature must be 0 (greedy) or more, got -1.0", m, "--ids", "1", "--temperature", "-1");
        refused("--top-p must be in (0, 1], got 1.5", m, "--ids", "1", "--temperature", "1", "--top-p", "1.5");
        refused("--repeat 'the' is not a token id, and without a tokenizer.json", m, "--repeat", "the", "--count", "3");
        refused("--repeat 'hello world' is 2 tokens", REAL.toString(), "--repeat", "hello world", "--count", "3");
        refused("a prompt of 2041 tokens and 8 new tokens need 2049 positions, but the model's context length is 2048 "
                + "(genai_config.json)", REAL.toString(), "--repeat", "the", "--count", "2040", "--max-new-tokens", "8");
        refused("cannot read the model " + tmp.resolve("none.onnx") + ": no such file", tmp.resolve("none.onnx").toString(),
                "--ids", "1");
        Cli.Outcome none = Cli.run("run", m);
        assertEquals(ExitCodes.BAD_INPUT, none.code());
        assertTrue(none.errLines().get(0).startsWith("onnx-sinkfix: error: Error: Missing required argument"), none.err());
        Cli.Outcome both = Cli.run("run", m, "--ids", "1", "--prompt", "x");
        assertEquals(ExitCodes.BAD_INPUT, both.code());
        assertTrue(both.errLines().get(0).contains("mutually exclusive"), both.err());
    }

    private static void refused(String expected, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "run";
        System.arraycopy(args, 0, full, 1, args.length);
        Cli.Outcome r = Cli.run(full);
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("onnx-sinkfix: error: ") && r.errLines().get(0).contains(expected),
                "expected '" + expected + "' in: " + r.err());
    }

    private static long[] ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }
}
