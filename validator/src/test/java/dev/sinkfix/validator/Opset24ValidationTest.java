package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.samples.Opset24Variant;
import dev.sinkfix.samples.SampleSpec;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.ClampPatch;
import dev.sinkfix.surgery.rewrite.ClampSpec;
import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.validator.clamp.ClampReport;
import dev.sinkfix.validator.clamp.ClampValidation;
import dev.sinkfix.validator.validate.Validation;
import dev.sinkfix.validator.validate.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An opset-24 export (the dynamo sample re-stamped, its RMSNorms the standard RMSNormalization
 * operator) loads in the bundled ONNX Runtime, computes what the opset-18 original does, and
 * both modes of the patch validate on it.
 */
class Opset24ValidationTest {
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU);
    @TempDir
    Path tmp;

    @Test
    void bothModesValidateOnAnOpset24ExportWithStandardRmsNormalization() throws Exception {
        SampleSpec spec = Samples.preset("llama-dynamo-fp32");
        Path opset18 = Samples.write("llama-dynamo-fp32", tmp.resolve("o18"));
        int[] replaced = new int[1];
        Model variant = Opset24Variant.of(ModelLoader.load(opset18), spec.rmsEpsilon(), replaced);
        assertEquals(2 * spec.layers() + 1, replaced[0], "every RMSNorm of the sample became RMSNormalization");
        Path original = Files.createDirectories(tmp.resolve("o24")).resolve("model.onnx");
        ModelSaver.create().save(variant, original);
        Model loaded = ModelLoader.load(original);
        assertEquals(24, loaded.opsetVersion(""));
        assertTrue(loaded.graph().nodes().stream().anyMatch(n -> n.isStandard("RMSNormalization")));

        StepInputs call = PaddedBatch.of(new long[] {1, 20, 30, 40, 50, 60, 70}).columns(0, 7);
        try (ModelSession a = Sessions.open(opset18, CPU, w -> { }); ModelSession b = Sessions.open(original, CPU, w -> { })) {
            float[] x = Stepper.run(a, call, Stepper.emptyPast(a, 1)).output("logits").values();
            float[] y = Stepper.run(b, call, Stepper.emptyPast(b, 1)).output("logits").values();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-4 + 1e-4 * Math.abs(x[i]), "logits[" + i + "]: opset 18 vs 24");
            }
        }

        SinkSpec sink = new SinkSpec(1, List.of(3, 40), MlpSite.UP, 1);
        Model replay = ModelLoader.load(original);
        SinkPatch.apply(replay, DecoderMatcher.match(replay), List.of(sink), "test");
        Path replayFile = original.resolveSibling("replay.onnx");
        ModelSaver.create().save(replay, replayFile);
        ValidationReport r = Validation.run(original, replayFile,
                new Validation.Options(CPU, null, null, 1, 100, 30, false), w -> { });
        assertTrue(r.passed(), () -> r.checks().toString());

        Model clamp = ModelLoader.load(original);
        ClampPatch.apply(clamp, DecoderMatcher.match(clamp), List.of(new ClampSpec(sink,
                List.of(new NeuronRange(-0.5f, 0.5f), new NeuronRange(-0.5f, 0.5f)), "test")), "test");
        Path clampFile = original.resolveSibling("clamp.onnx");
        ModelSaver.create().save(clamp, clampFile);
        ClampReport c = ClampValidation.run(original, clampFile, new ClampValidation.Options(CPU, null, 1, 100, 30),
                w -> { });
        assertTrue(c.passed(), () -> c.checks().stream().map(k -> k.id() + " " + k.firstFailures()).toList().toString());
    }
}
