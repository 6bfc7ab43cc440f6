package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code diff} on pairs whose difference is known exactly. */
class DiffCommandTest {
    /** The inputs file: x = 0, 0.0005, 0.001, ..., so |x| > 1.1e-3 first at index 3. */
    private static final int N = 16;

    @TempDir
    static Path tmp;
    static Path a;
    static Path b;
    static Path inputs;

    /** {@code y = x * scale, z = x + 1}, x {@code [batch, N]} float. */
    static Path model(String name, float scale) throws Exception {
        return model(tmp, name, scale);
    }

    static Path model(Path dir, String name, float scale) throws Exception {
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DataType.FLOAT, Dim.named("batch"), Dim.of(N)));
        ByteBuffer raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale);
        Value s = g.addInitializer(Tensor.ofRaw("scale", DataType.FLOAT, new long[0], ByteString.copyFrom(raw.array())));
        ByteBuffer oneRaw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f);
        Value one = g.addInitializer(Tensor.ofRaw("one", DataType.FLOAT, new long[0], ByteString.copyFrom(oneRaw.array())));
        g.addOutput(g.addNode("Mul", "", "scaled", List.of(x, s), List.of("y")).output(0));
        g.addOutput(g.addNode("Add", "", "plus_one", List.of(x, one), List.of("z")).output(0));
        ModelProto header = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        Path file = dir.resolve(name + ".onnx");
        ModelSaver.create().save(new Model(header, g, Map.of(), null), file);
        return file;
    }

    @BeforeAll
    static void models() throws Exception {
        a = model("a", 1f);
        b = model("b", 1f + 1e-3f);
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < N; i++) {
            data.append(i == 0 ? "" : ", ").append(i * 0.0005);
        }
        inputs = tmp.resolve("inputs.json");
        Files.writeString(inputs, "{\"x\": {\"shape\": [1, " + N + "], \"data\": [" + data + "]}}");
    }

    @Test
    void aScaledOutputPassesAtALooseRelativeTolerance() throws Exception {
        Cli.Outcome r = Cli.run("diff", a.toString(), b.toString(), "--rtol", "1e-2", "--device", "cpu",
                "--inputs", inputs.toString(), "--json", "-");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode y = Json.MAPPER.readTree(r.out()).get("outputs").get(0);
        assertEquals("y", y.get("name").asText());
        assertEquals(1e-3, y.get("max_rel").asDouble(), 1e-6);
        assertEquals(0.0075 * 1e-3, y.get("max_abs").asDouble(), 1e-8);
        assertTrue(y.get("first_exceeding").isNull());
    }

    @Test
    void andFailsAtATightOneAtTheRightPosition() throws Exception {
        Cli.Outcome r = Cli.run("diff", a.toString(), b.toString(), "--rtol", "y=1e-4", "--device", "cpu",
                "--inputs", inputs.toString(), "--json", "-");
        assertEquals(1, r.code(), r.out() + r.err());
        JsonNode doc = Json.MAPPER.readTree(r.out());
        JsonNode y = doc.get("outputs").get(0);
        assertTrue(!y.get("passed").asBoolean());
        // |b - a| = 1e-3 x > 1e-6 + 1e-4 x from x > 1.11e-3 on: index 3 (x = 0.0015)
        assertEquals("[0,3]", y.get("first_exceeding").get("index").toString());
        assertEquals(0.0015, y.get("first_exceeding").get("a").asDouble(), 1e-9);
        assertEquals(0.0015 * (1 + 1e-3), y.get("first_exceeding").get("b").asDouble(), 1e-8);
        assertEquals(13, y.get("exceeding").asLong());
        JsonNode z = doc.get("outputs").get(1);
        assertTrue(z.get("passed").asBoolean(), "z is the same in both models");
        assertEquals(0.0, z.get("max_abs").asDouble());
    }

    @Test
    void generatedInputsAndTheTable() {
        Cli.Outcome same = Cli.run("diff", a.toString(), a.toString(), "--device", "cpu", "--seed", "7");
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains("x [1, 16]"), same.out());
        assertTrue(same.out().contains("result: PASSED"), same.out());
        Cli.Outcome differ = Cli.run("diff", a.toString(), b.toString(), "--device", "cpu", "--outputs", "y");
        assertEquals(1, differ.code(), differ.out());
        assertTrue(differ.out().lines().anyMatch(l -> l.startsWith("y") && l.contains("FAIL")), differ.out());
        assertTrue(differ.out().contains("first out of tolerance at [0, "), differ.out());
    }

    /** Generated inputs line a total length (past + sequence) up with the past, which is 0: every decoder style runs. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-torch-fp32", "llama-genai-fp16", "mistral-genai-fp16", "llama-dynamo-fp32"})
    void aDecoderAgainstItselfWithGeneratedInputs(String sample) throws Exception {
        Path m = Samples.write(sample, tmp.resolve("self-" + sample));
        Cli.Outcome r = Cli.run("diff", m.toString(), m.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("attention_mask [1, 4]"), r.out());
        assertTrue(r.out().contains("result: PASSED"), r.out());
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Cli.Outcome unknown = Cli.run("diff", a.toString(), b.toString(), "--outputs", "logits", "--device", "cpu");
        assertEquals(2, unknown.code());
        assertEquals(List.of("onnx-sinkfix: error: output 'logits' is not in both models; the outputs they share are y, z"),
                unknown.errLines());
        Cli.Outcome tol = Cli.run("diff", a.toString(), b.toString(), "--atol", "y=lots", "--device", "cpu");
        assertEquals(2, tol.code());
        assertEquals(List.of("onnx-sinkfix: error: --atol 'y=lots' is not a number or NAME=NUMBER"), tol.errLines());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"x\": {\"shape\": [1, 3], \"data\": [1, 2, 3]}}");
        Cli.Outcome shape = Cli.run("diff", a.toString(), b.toString(), "--inputs", bad.toString(), "--device", "cpu");
        assertEquals(3, shape.code(), "ONNX Runtime refuses a wrong shape: " + shape.err());
        assertEquals(1, shape.errLines().size(), shape.err());
    }
}
