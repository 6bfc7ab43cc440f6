package dev.sinkfix.samples;

import dev.sinkfix.runtime.HostTensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dynamic int8 sample as ONNX Runtime's own optimizer saves it (level EXTENDED, the file
 * {@code optimized_model_filepath} writes): the quantizer's chains fused into
 * {@code com.microsoft:MatMulIntegerToFloat} behind a shared DynamicQuantizeLinear and
 * {@code DynamicQuantizeMatMul}, SiLU into {@code QuickGelu}; and the QDQ sample, whose MatMuls
 * with their pairs become {@code QLinearMatMul}. The matcher reads the same layers, and the
 * patched, tapped graph pins the neurons under ORT.
 */
class OrtFusedQuantizedTest {
    private static final List<Integer> NEURONS = List.of(3, 17);

    @TempDir
    Path tmp;

    @Test
    void ortsFusedDynamicInt8IsMatchedPatchedAndTapped() throws Exception {
        Model model = fusedByOrt(QuantizedSamples.INT8_DYNAMIC);
        Map<String, Integer> ops = model.graph().opHistogram();
        assertTrue(ops.containsKey("com.microsoft:MatMulIntegerToFloat") && !ops.containsKey("MatMulInteger"),
                "ORT fused the quantizer's chains: " + ops);
        patchTapAndRun(model, QuantizedSamples.INT8_DYNAMIC, "MatMulIntegerToFloat", "DynamicQuantizeMatMul");
    }

    /** QDQ at level EXTENDED: ORT folds DequantizeLinear, MatMul and QuantizeLinear into QLinearMatMul (int8 out). */
    @Test
    void ortsFoldedQdqIsMatchedPatchedAndTapped() throws Exception {
        Model model = fusedByOrt(QuantizedSamples.QDQ);
        Map<String, Integer> ops = model.graph().opHistogram();
        assertTrue(ops.containsKey("QLinearMatMul"), "ORT folded QDQ MatMuls: " + ops);
        // gate and up share their input's DequantizeLinear, which ORT does not fold; down's is its own.
        patchTapAndRun(model, QuantizedSamples.QDQ, "MatMul", "QLinearMatMul");
    }

    private Model fusedByOrt(String sample) throws Exception {
        Path quantized = Samples.write(sample, tmp.resolve(sample));
        Path fused = tmp.resolve(sample + "-fused.onnx");
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            o.setOptimizedModelFilePath(fused.toString());
            OrtEnvironment.getEnvironment().createSession(quantized.toString(), o).close();
        }
        return ModelLoader.load(fused);
    }

    private void patchTapAndRun(Model model, String sample, String upOp, String downOp) throws Exception {
        Decoder d = DecoderMatcher.match(model);
        SampleSpec spec = QuantizedSamples.entry(sample).baseSpec();
        assertEquals(spec.layers(), d.layers().size());
        assertEquals(spec.intermediate(), d.intermediateSize());
        assertEquals(DataType.FLOAT, d.dtype());
        for (DecoderLayer layer : d.layers()) {
            assertEquals(upOp, layer.mlp().up().node().opType());
            assertEquals(downOp, layer.mlp().down().node().opType());
            assertEquals(DataType.FLOAT, layer.mlp().siteType(MlpSite.UP));
        }

        SinkPatch.apply(model, d, List.of(new SinkSpec(1, NEURONS, MlpSite.UP, 1)), "test");
        Taps.apply(model, DecoderMatcher.match(model), new TapRequest(Set.of(1), false, false,
                Map.of(MlpSite.UP, NEURONS), false));
        Path patched = tmp.resolve(sample + "-patched.onnx");
        ModelSaver.create().save(model, patched);

        long[] tokens = SmallPresets.tokens(spec, 7, 9);
        try (DecoderRunner runner = new DecoderRunner(spec, patched)) {
            Map<String, HostTensor> out = runner.outputs(new long[][] {tokens}, new long[][] {SmallPresets.ones(7)},
                    new long[][] {SmallPresets.range(0, 7)}, runner.emptyCache(1),
                    Map.of("past_sink_state.1", Feeds.floats(new float[NEURONS.size()], 1, NEURONS.size())));
            float[] state = Tolerance.floats(out.get("present_sink_state.1"));
            float[] site = Tolerance.floats(out.get("tap.site.1.up"));
            for (int k = 0; k < NEURONS.size(); k++) {
                assertEquals(site[NEURONS.size() + k], state[k], 0f, "the state is the site at position 1");
                assertNotEquals(site[k], state[k], "position 0 keeps its own value");
                for (int t = 2; t < tokens.length; t++) {
                    assertEquals(state[k], site[t * NEURONS.size() + k], 0f, "neuron " + NEURONS.get(k)
                            + " at position " + t + " holds the captured value");
                }
            }
        }
    }
}
