package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.ClampPatch;
import dev.sinkfix.surgery.rewrite.ClampSpec;
import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.validator.clamp.CalibrationPrompts;
import dev.sinkfix.validator.clamp.ClampCalibration;
import dev.sinkfix.validator.clamp.ClampCheck;
import dev.sinkfix.validator.clamp.ClampReport;
import dev.sinkfix.validator.clamp.ClampValidation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clamp mode under ONNX Runtime: calibrated on the original, patched, and held to its invariants
 * on every export style, fp16 and the real export; a patch that does not do what its record says
 * fails the check it breaks.
 */
class ClampValidationTest {
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU);
    @TempDir
    Path tmp;

    private Path clamp(Path source, SinkSpec sink, List<NeuronRange> ranges, String name) throws Exception {
        Model m = ModelLoader.load(source);
        ClampPatch.apply(m, DecoderMatcher.match(m), List.of(new ClampSpec(sink, ranges, "test")), "test");
        Path out = source.resolveSibling(name);
        ModelSaver.create().save(m, out);
        return out;
    }

    private static ClampValidation.Options options() {
        return new ClampValidation.Options(CPU, null, 1, 100, 30);
    }

    private static Map<String, ClampCheck> byId(ClampReport r) {
        return r.checks().stream().collect(Collectors.toMap(ClampCheck::id, c -> c));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-sink-fp32", "llama-torch-fp16", "llama-dynamo-fp32", "mistral-genai-fp16",
            SourceModels.REAL})
    void calibratedClampPassesEveryCheck(String name) throws Exception {
        Path source = SourceModels.model(name, tmp);
        boolean sink = name.equals("llama-sink-fp32");
        SinkSpec spec = new SinkSpec(1, sink ? List.of(42, 137) : List.of(3, 40), MlpSite.UP, 1);
        long vocab = DecoderMatcher.match(ModelLoader.load(source)).vocabSize();
        ClampCalibration.Result cal = ClampCalibration.calibrate(source, List.of(spec),
                CalibrationPrompts.generated(vocab, 1, CalibrationPrompts.GENERATED, 7), 0.25, CPU, w -> { });
        List<NeuronRange> ranges = cal.ranges().get(1);
        assertEquals(2, ranges.size());
        assertTrue(cal.positions() > 100, "positions read: " + cal.positions());
        Path patched = clamp(source, spec, ranges, "clamp-" + name + ".onnx");
        ClampReport r = ClampValidation.run(source, patched, options(), w -> { });
        assertTrue(r.passed(), () -> r.checks().stream().filter(c -> !c.passed())
                .map(c -> c.id() + ": " + c.firstFailures()).toList().toString());
        if (sink) {
            // BoS + 30 repeats drives the sink neurons to BoS-like values: the clamp cuts them.
            assertTrue(r.clampedValues() > 20, "clamped " + r.clampedValues());
        }
    }

    @Test
    void aRecordThatDoesNotMatchTheGraphFailsTheCheckItBreaks() throws Exception {
        Path source = SourceModels.model("llama-sink-fp32", tmp);
        SinkSpec spec = new SinkSpec(1, List.of(42, 137), MlpSite.UP, 1);
        List<NeuronRange> wide = List.of(new NeuronRange(-1000f, 1000f), new NeuronRange(-1000f, 1000f));
        List<NeuronRange> narrow = List.of(new NeuronRange(0.5f, 1f), new NeuronRange(0.5f, 1f));

        // The graph clamps to wide bounds, the record claims narrow ones: values lie outside the claim.
        Path loose = clamp(source, spec, wide, "loose.onnx");
        rewriteRecord(loose, "0.5:1.0,0.5:1.0");
        Map<String, ClampCheck> a = byId(ClampValidation.run(source, loose, options(), w -> { }));
        assertFalse(a.get("range").passed());
        assertTrue(a.get("range").firstFailures().get(0).contains("outside 0.5:1.0"), a.get("range").firstFailures()::toString);

        // The graph clamps to narrow bounds, the record claims wide ones: in-range values were changed.
        Path tight = clamp(source, spec, narrow, "tight.onnx");
        rewriteRecord(tight, "-1000.0:1000.0,-1000.0:1000.0");
        Map<String, ClampCheck> b = byId(ClampValidation.run(source, tight, options(), w -> { }));
        assertTrue(b.get("range").passed());
        assertFalse(b.get("untouched").passed());
        assertTrue(b.get("1").passed(), "positions up to the capture are unchanged either way");
        assertTrue(b.get("io").passed());
    }

    private static void rewriteRecord(Path model, String ranges) throws Exception {
        Model m = ModelLoader.load(model);
        m.metadata().put("sinkfix.layer.1.ranges", ranges);
        Path tmpOut = model.resolveSibling("rewritten-" + model.getFileName());
        ModelSaver.create().save(m, tmpOut);
        java.nio.file.Files.move(tmpOut, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
