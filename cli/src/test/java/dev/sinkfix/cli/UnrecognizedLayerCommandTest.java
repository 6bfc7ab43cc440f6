package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.DecoderMatcher;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dynamo-style model (no layers.N names) whose layer-1 MLP has an extra node after its up
 * projection: from the command line, that layer is shown as not recognised with the reason and
 * refused by patch and tap in one line; layer 0 is patched as usual. (Under ONNX Runtime the
 * other layers' patches act on the right layer: LayersKeepTheirIndexTest in samples.)
 */
class UnrecognizedLayerCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theUnreadableLayerIsShownAndRefusedTheOtherIsPatched() throws Exception {
        Path model = withExtraNodeAfterUp(Samples.write("llama-dynamo-fp32", tmp.resolve("src")), 1);
        JsonNode doc = Json.MAPPER.readTree(Cli.run("inspect", "--json", model.toString()).out());
        assertEquals(2, doc.get("decoder").get("layers").asInt());
        JsonNode layer1 = doc.get("decoder").get("layer_details").get(1);
        assertFalse(layer1.get("recognized").asBoolean());
        assertTrue(layer1.get("why_not_recognized").asText().contains("times_one"), layer1.toString());
        assertEquals(0, layer1.get("sites").size());
        assertTrue(doc.get("decoder").get("layer_details").get(0).get("recognized").asBoolean());

        Cli.Outcome explain = Cli.run("inspect", "--explain", model.toString());
        assertTrue(explain.out().contains("layer 1: MLP not recognised: pattern down(act(gate(x)) * up(x))"), explain.out());
        assertTrue(explain.out().contains("MLP          not recognised (patch and site taps refused)"), explain.out());

        Cli.Outcome patch1 = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3", "-o",
                tmp.resolve("p1.onnx").toString());
        assertEquals(2, patch1.code());
        assertEquals(1, patch1.errLines().size(), patch1.err());
        assertTrue(patch1.err().contains("layer 1's MLP was not recognised"), patch1.err());
        assertTrue(Files.notExists(tmp.resolve("p1.onnx")));

        Cli.Outcome tap1 = Cli.run("tap", model.toString(), "--site-neurons", "up:3", "--tap-layers", "1", "-o",
                tmp.resolve("t1.onnx").toString());
        assertEquals(2, tap1.code());
        assertTrue(tap1.err().contains("layer 1's MLP was not recognised"), tap1.err());

        Cli.Outcome patch0 = Cli.run("patch", model.toString(), "--layer", "0", "--neurons", "3", "-o",
                tmp.resolve("p0.onnx").toString());
        assertEquals(0, patch0.code(), patch0.err());
        assertTrue(patch0.out().contains("layer 0: pinned neurons [3]"), patch0.out());
    }

    private static Path withExtraNodeAfterUp(Path source, int layer) throws Exception {
        Model m = ModelLoader.load(source);
        Graph g = m.graph();
        Value up = DecoderMatcher.match(m).layer(layer).mlp().up().output();
        List<Use> readers = List.copyOf(up.uses());
        Value one = g.addInitializer(Tensor.ofRaw("/variant/one", DataType.FLOAT, new long[0],
                ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).array())));
        Value times = g.addNode("Mul", "", "/variant/times_one", List.of(up, one), List.of("/variant/times_one/output_0"))
                .output(0);
        readers.forEach(u -> u.node().setInput(u.index(), times));
        Path file = Files.createDirectories(source.getParent().resolveSibling("variant")).resolve("model.onnx");
        ModelSaver.create().save(m, file);
        return file;
    }
}
