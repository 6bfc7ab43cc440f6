package dev.sinkfix.surgery.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clamp mode's graph-level promises on the real export; its numbers are tested under ONNX Runtime in validator. */
class ClampPatchTest {
    private static final List<NeuronRange> RANGES = List.of(new NeuronRange(-1.5f, 2f), new NeuronRange(0f, 0.5f));

    private static Model real() throws Exception {
        return ModelLoader.load(SharedModels.tinyLlamaGenaiFp16());
    }

    private static ClampSpec spec(int layer, List<Integer> neurons, List<NeuronRange> ranges) {
        return new ClampSpec(new SinkSpec(layer, neurons, MlpSite.UP, 1), ranges, "given with --clamp");
    }

    @Test
    void keepsInputsAndOutputsAndRecordsModeAndRanges() throws Exception {
        Model m = real();
        List<String> inputs = m.graph().inputs().stream().map(Value::name).toList();
        List<String> outputs = m.graph().outputs().stream().map(Value::name).toList();
        var results = ClampPatch.apply(m, DecoderMatcher.match(m), List.of(spec(1, List.of(3, 40), RANGES)), "test");
        assertEquals(inputs, m.graph().inputs().stream().map(Value::name).toList(), "no state input");
        assertEquals(outputs, m.graph().outputs().stream().map(Value::name).toList(), "no state output");
        assertTrue(m.graph().isTopologicallySorted());
        List<Node> added = m.graph().nodes().stream().filter(n -> n.name().startsWith("/sinkfix/")).toList();
        assertEquals(results.get(0).nodesAdded(), added.size());
        assertTrue(added.stream().allMatch(n -> n.domain().isEmpty()), "standard operators only");
        assertTrue(added.stream().anyMatch(n -> n.opType().equals("Min")) && added.stream().anyMatch(n -> n.opType().equals("Max")));
        // fp16 model: the bounds are cast to the site's dtype, nothing of the site is widened.
        assertTrue(added.stream().filter(n -> n.opType().equals("Cast") && n.name().contains("range"))
                .allMatch(n -> n.attribute("to").proto().getI() == DataType.FLOAT16.code()));
        assertEquals(ClampRecord.CLAMP, ClampRecord.mode(m, 1));
        assertEquals("-1.5:2.0,0.0:0.5", m.metadata().get("sinkfix.layer.1.ranges"));
        assertEquals(RANGES, ClampRecord.read(m, 1).orElseThrow().ranges());
        assertEquals(List.of(new PatchRecord(1, List.of(3, 40), MlpSite.UP, 1, "test", results.get(0).site(),
                results.get(0).patchedSite())), PatchRecord.readAll(m));
        // The matcher still sees the original MLP, and a second patch of the layer is refused.
        Model again = m;
        BadInputException e = assertThrows(BadInputException.class, () -> ClampPatch.apply(again,
                DecoderMatcher.match(again), List.of(spec(1, List.of(3, 40), RANGES)), "test"));
        assertTrue(e.getMessage().contains("layer 1 is already patched"), e.getMessage());
        assertEquals(ClampRecord.REPLAY, ClampRecord.mode(real(), 1), "no record reads as replay");
    }

    @Test
    void refusesWhatReplayRefusesAndRangesThatDoNotFit() throws Exception {
        Model m = real();
        byte[] before = ModelExporter.export(m).toByteArray();
        BadInputException e = assertThrows(BadInputException.class, () -> ClampPatch.apply(m, DecoderMatcher.match(m),
                List.of(spec(1, List.of(64, 1), RANGES)), "test"));
        assertTrue(e.getMessage().contains("neuron 64 is out of range for layer 1"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ClampPatch.apply(m, DecoderMatcher.match(m),
                List.of(spec(1, List.of(3), RANGES)), "test"));
        assertEquals("layer 1: 1 neurons but 2 ranges; give one LO:HI per neuron", e.getMessage());
        assertArrayEquals(before, ModelExporter.export(m).toByteArray(), "a refused patch leaves the model as it was");
        assertTrue(assertThrows(BadInputException.class, () -> NeuronRange.parse("2:1")).getMessage()
                .contains("is not LO:HI with finite LO <= HI"));
        assertEquals(new NeuronRange(-3f, -1f), NeuronRange.parse("-3:-1"));
        assertThrows(BadInputException.class, () -> NeuronRange.parse("nan:1"));
    }

    @Test
    void halfPrecisionBoundsMoveOutwardSoRoundingNeverNarrowsThem() {
        float hi = 2.0004f;
        float lo = -1.0003f;
        assertTrue(ClampPatch.outward(hi, 1, DataType.FLOAT16) > hi);
        assertTrue(ClampPatch.outward(lo, -1, DataType.FLOAT16) < lo);
        assertEquals(hi, ClampPatch.outward(hi, 1, DataType.FLOAT));
    }
}
