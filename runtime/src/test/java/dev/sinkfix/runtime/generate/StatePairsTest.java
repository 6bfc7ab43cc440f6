package dev.sinkfix.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.surgery.ir.DataType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatePairsTest {
    @Test
    void presentNamesFollowTheExporters() {
        assertEquals(List.of("present.3.key", "present_key_values.3.key"), StatePairs.presentNames("past_key_values.3.key"));
        assertEquals(List.of("present_sink_state.1"), StatePairs.presentNames("past_sink_state.1"));
        assertEquals(List.of("present_0_value", "present_key_values_0_value"),
                StatePairs.presentNames("past_key_values_0_value"));
        assertEquals(List.of("present.0.key"), StatePairs.presentNames("past.0.key"));
        assertEquals(List.of(), StatePairs.presentNames("input_ids"));
        assertEquals(List.of(), StatePairs.presentNames("cache_position"));
    }

    @Test
    void pairsKvCacheAndSinkStateWithTheirAxes() {
        List<IoSpec> inputs = List.of(ids(), spec("past_key_values.0.key", DataType.FLOAT16, "batch_size", 4, "past", 16),
                spec("past_sink_state.1", DataType.FLOAT16, "batch_size", 2));
        List<IoSpec> outputs = List.of(spec("present.0.key", DataType.FLOAT16, "batch_size", 4, "total", 16),
                spec("present_sink_state.1", DataType.FLOAT16, "batch_size", 2));
        StatePairs.Found found = StatePairs.find(inputs, outputs, "batch_size");
        assertEquals(List.of(), List.copyOf(found.problems().values()));
        StatePair kv = found.pairs().get(0);
        assertEquals(0, kv.batchAxis());
        assertEquals(2, kv.lengthAxis());
        assertArrayEquals(new long[] {2, 4, 0, 16}, kv.firstCallShape(2));
        StatePair sink = found.pairs().get(1);
        assertEquals(-1, sink.lengthAxis());
        assertArrayEquals(new long[] {3, 2}, sink.firstCallShape(3));
    }

    @Test
    void saysWhyAStateInputDoesNotPair() {
        List<IoSpec> inputs = List.of(ids(), spec("past_key_values.0.key", DataType.FLOAT, "batch_size", 4, "past", 16),
                spec("past_sink_state.0", DataType.FLOAT, "batch_size", 2),
                spec("past_odd", DataType.FLOAT, "batch_size", "a", "b"));
        List<IoSpec> outputs = List.of(spec("present.0.key", DataType.FLOAT16, "batch_size", 4, "total", 16),
                spec("present_odd", DataType.FLOAT, "batch_size", "a", "b"));
        StatePairs.Found found = StatePairs.find(inputs, outputs, "batch_size");
        assertEquals(List.of(), found.pairs());
        assertEquals("it is past_key_values.0.key float[batch_size, 4, past, 16] but present.0.key float16[batch_size, 4, "
                + "total, 16] comes back", found.problems().get("past_key_values.0.key"));
        assertEquals("no output present_sink_state.0 returns it", found.problems().get("past_sink_state.0"));
        assertTrue(found.problems().get("past_odd").contains("are all open"), found.problems().get("past_odd"));
    }

    @Test
    void aStaticCacheFixedToOneRowRefusesABiggerBatch() {
        StatePair fixed = StatePairs.find(List.of(spec("past.0", DataType.FLOAT, 1, 2, 8)),
                List.of(spec("present.0", DataType.FLOAT, 1, 2, 8)), "batch_size").pairs().get(0);
        assertArrayEquals(new long[] {1, 2, 8}, fixed.firstCallShape(1));
        assertThrows(IllegalArgumentException.class, () -> fixed.firstCallShape(2));
    }

    @Test
    void signatureNamesEveryInputItCannotFill() {
        List<IoSpec> inputs = List.of(ids(), spec("attention_mask", DataType.INT64, "batch_size", "total"),
                spec("use_cache_branch", DataType.BOOL, 1));
        List<IoSpec> outputs = List.of(spec("logits", DataType.FLOAT, "batch_size", "sequence_length", 32));
        DecoderSignature signature = DecoderSignature.read(inputs, outputs);
        assertEquals("generation is not available for this model: input use_cache_branch bool[1] is not one it can "
                + "fill between steps (onnx-sinkfix fills input_ids, attention_mask, position_ids and past*/present* "
                + "state)", signature.generationUnavailable().orElseThrow());
        assertTrue(signature.fullPassUnavailable().isEmpty());
        DecoderSignature noIds = DecoderSignature.read(List.of(spec("inputs_embeds", DataType.FLOAT, "b", "s", 8)), outputs);
        assertTrue(noIds.fullPassUnavailable().orElseThrow().contains("it has no input_ids input (inputs: inputs_embeds)"));
    }

    private static IoSpec ids() {
        return spec("input_ids", DataType.INT64, "batch_size", "sequence_length");
    }

    /** dims: Integer for a fixed size, String for a symbolic one. */
    private static IoSpec spec(String name, DataType dtype, Object... dims) {
        long[] shape = new long[dims.length];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i] instanceof Integer size ? size : -1;
            names.add(dims[i] instanceof String s ? s : "");
        }
        return new IoSpec(name, dtype, shape, names);
    }
}
