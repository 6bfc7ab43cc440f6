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
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The patch's graph-level promises on the real export; its numbers are tested under ONNX Runtime elsewhere. */
class SinkPatchCheckTest {

    private static Model real() throws Exception {
        return ModelLoader.load(SharedModels.tinyLlamaGenaiFp16());
    }

    private static void refused(List<SinkSpec> specs, String expected) throws Exception {
        Model m = real();
        byte[] before = ModelExporter.export(m).toByteArray();
        BadInputException e = assertThrows(BadInputException.class,
                () -> SinkPatch.apply(m, DecoderMatcher.match(m), specs, "test"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertArrayEquals(before, ModelExporter.export(m).toByteArray(), "a refused patch leaves the model as it was");
    }

    @Test
    void refusesBadLayersNeuronsAndPositions() throws Exception {
        refused(List.of(new SinkSpec(2, List.of(1), MlpSite.UP, 1)), "layer 2 does not exist: the model has 2 layers, 0 to 1");
        refused(List.of(new SinkSpec(-1, List.of(1), MlpSite.UP, 1)), "layer -1 does not exist");
        refused(List.of(new SinkSpec(1, List.of(64), MlpSite.UP, 1)), "neuron 64 is out of range for layer 1: its MLP has 64 neurons, 0 to 63");
        refused(List.of(new SinkSpec(1, List.of(-3), MlpSite.UP, 1)), "neuron -3 is out of range");
        refused(List.of(new SinkSpec(1, List.of(5, 5), MlpSite.UP, 1)), "neuron 5 is given twice");
        refused(List.of(new SinkSpec(1, List.of(), MlpSite.UP, 1)), "no neurons given");
        refused(List.of(new SinkSpec(1, List.of(5), MlpSite.UP, -1)), "capture position -1 is negative");
        refused(List.of(new SinkSpec(1, List.of(5), MlpSite.UP, 1), new SinkSpec(1, List.of(6), MlpSite.UP, 1)),
                "layer 1 is given twice");
        refused(List.of(new SinkSpec(0, List.of(5), MlpSite.UP, 1), new SinkSpec(7, List.of(6), MlpSite.UP, 1)),
                "layer 7 does not exist");
    }

    @Test
    void addsNamedNodesAStatePairAndARecordAndRefusesASecondPatch() throws Exception {
        Model m = real();
        var results = SinkPatch.apply(m, DecoderMatcher.match(m),
                List.of(new SinkSpec(1, List.of(3, 40), MlpSite.GATE, 1)), "test");
        assertEquals("/model/layers.1/mlp/gate_proj/MatMul/output_0", results.get(0).site());
        assertEquals("past_sink_state.1", results.get(0).stateInput());
        assertEquals(DataType.FLOAT16, m.graph().input("past_sink_state.1").dtype());
        assertEquals("present_sink_state.1", m.graph().outputs().get(m.graph().outputs().size() - 1).name());
        assertTrue(m.graph().isTopologicallySorted());
        List<Node> added = m.graph().nodes().stream().filter(n -> n.name().startsWith("/sinkfix/")).toList();
        assertEquals(results.get(0).nodesAdded(), added.size());
        assertTrue(added.stream().allMatch(n -> n.domain().isEmpty()), "standard operators only");
        assertEquals(List.of(new PatchRecord(1, List.of(3, 40), MlpSite.GATE, 1, "test", results.get(0).site(),
                results.get(0).patchedSite())), PatchRecord.readAll(m));

        Model again = ModelLoader.load(SharedModels.tinyLlamaGenaiFp16());
        new PatchRecord(1, List.of(3), MlpSite.UP, 1, "old", null, null).writeTo(again);
        BadInputException e = assertThrows(BadInputException.class, () -> SinkPatch.apply(again,
                DecoderMatcher.match(again), List.of(new SinkSpec(1, List.of(3), MlpSite.UP, 1)), "test"));
        assertTrue(e.getMessage().contains("layer 1 is already patched"), e.getMessage());
    }

    @Test
    void presetsRefuseAModelOfAnotherWidth() {
        BadInputException e = assertThrows(BadInputException.class, () -> Preset.byId("llama-2-7b").checkFits(64));
        assertTrue(e.getMessage().contains("intermediate size of 11008, but this model's MLP is 64 wide"), e.getMessage());
        assertTrue(assertThrows(BadInputException.class, () -> Preset.byId("gpt-2")).getMessage()
                .contains("expected one of llama-1-7b, llama-2-7b, llama-3-8b-instruct, mistral-7b-instruct-v0.1"));
    }
}
