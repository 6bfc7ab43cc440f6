package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.validator.validate.CheckResult;
import dev.sinkfix.validator.validate.CheckResult.Status;
import dev.sinkfix.validator.validate.PatchDescription;
import dev.sinkfix.validator.validate.Validation;
import dev.sinkfix.validator.validate.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code validate} end to end: correct patches pass every check that applies, and patches
 * broken on purpose (by editing a correct patch's IR) fail with the check that catches them.
 */
class ValidationTest {
    private static final SinkSpec SPEC = new SinkSpec(1, List.of(3, 17, 100), MlpSite.UP, 1);

    @TempDir
    static Path scratch;

    private static Validation.Options options(PatchDescription.Override override, boolean effects) {
        SessionConfig config = SessionConfig.defaults().withDevice(Device.CPU).withIntraOpThreads(1)
                .withOptimization(GraphOptimization.BASIC);
        return new Validation.Options(config, override, null, 1, 100, 20, effects);
    }

    /** {@code source} patched with {@code spec}, then edited by {@code breaker}, saved under its own folder. */
    private static Path patched(Path source, SinkSpec spec, String name, Consumer<Model> breaker) throws Exception {
        Model model = ModelLoader.load(source);
        Decoder decoder = DecoderMatcher.match(model);
        SinkPatch.apply(model, decoder, List.of(spec), "validation-test");
        breaker.accept(model);
        model.graph().removeDeadNodes();
        model.graph().topologicalSort();
        Path file = Files.createDirectories(scratch.resolve("patched").resolve(name)).resolve("model.onnx");
        ModelSaver.create().save(model, file);
        return file;
    }

    private static ValidationReport validate(Path original, Path patched) throws Exception {
        return Validation.run(original, patched, options(null, false), w -> { });
    }

    private static String table(ValidationReport r) {
        return r.checks().stream().map(c -> c.id() + " " + c.status() + " " + c.figure() + " " + c.detail())
                .collect(Collectors.joining("\n"));
    }

    private static void assertFails(ValidationReport r, int check) {
        assertFalse(r.passed(), () -> table(r));
        assertEquals(Status.FAILED, r.check(check).status(), () -> "check " + check + " must catch it:\n" + table(r));
    }

    private static Path torch() throws Exception {
        return SourceModels.model("llama-torch-fp32", scratch);
    }

    private static Value value(Graph g, String name) {
        Value v = g.value(name);
        if (v == null) {
            throw new IllegalStateException("the patch has no " + name);
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-torch-fp32", "mistral-torch-fp16", "llama-genai-fp16", "llama-dynamo-fp32",
        "llama-sink-fp32"})
    void correctPatchesPass(String preset) throws Exception {
        Path source = SourceModels.model(preset, scratch);
        ValidationReport r = validate(source, patched(source, SPEC, preset + "-ok", m -> { }));
        assertTrue(r.passed(), () -> preset + ":\n" + table(r));
        for (CheckResult c : r.checks()) {
            assertEquals(Status.PASSED, c.status(), () -> preset + ":\n" + table(r));
        }
    }

    @Test
    void theRealExportPassesWithItsMetadataAndReportsWhatThePatchDoes() throws Exception {
        Path source = SourceModels.model(PatchCase.REAL, scratch);
        Path fixed = patched(source, new SinkSpec(1, List.of(5, 40), MlpSite.GATE, 1), "real-ok", m -> { });
        ValidationReport r = Validation.run(source, fixed, options(null, true), w -> { });
        assertTrue(r.passed(), () -> table(r));
        assertEquals(Status.PASSED, r.check(2).status(), () -> table(r));
        assertEquals("metadata", r.patchSource());
        assertEquals(MlpSite.GATE, r.layers().get(0).site());
        assertTrue(r.effects().positions() > 0 && r.effects().agree() <= r.effects().positions());
        assertTrue(r.effects().norms() != null, r.effects().normsUnavailable());
        assertTrue(r.timings().total() >= r.timings().runs());
    }

    @Test
    void theSinkSampleLosesItsRepeatSinksAndKeepsBoS() throws Exception {
        Path source = SourceModels.model("llama-sink-fp32", scratch);
        Path fixed = patched(source, new SinkSpec(1, List.of(42, 137), MlpSite.UP, 1), "sink-ok", m -> { });
        ValidationReport r = Validation.run(source, fixed, options(null, true), w -> { });
        assertTrue(r.passed(), () -> table(r));
        var norms = r.effects().norms();
        assertTrue(norms != null, r.effects().normsUnavailable());
        assertTrue(norms.runPatched() < norms.runOriginal(), () -> "repeats: " + norms);
    }

    /** A model patched by another tool carries no metadata: the command line describes the patch. */
    @Test
    void aPatchWithoutMetadataIsJudgedFromTheCommandLine() throws Exception {
        Path source = torch();
        Path fixed = patched(source, SPEC, "no-metadata", m -> m.metadata().keySet()
                .removeIf(k -> k.startsWith("sinkfix.")));
        ValidationReport r = Validation.run(source, fixed,
                options(new PatchDescription.Override(1, List.of(3, 17, 100), MlpSite.UP, 1), false), w -> { });
        assertTrue(r.passed(), () -> table(r));
        assertEquals("command line", r.patchSource());
        assertEquals("/sinkfix/layers.1/patched/output_0", r.layers().get(0).patchedTensor());
        dev.sinkfix.surgery.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.sinkfix.surgery.BadInputException.class, () -> validate(source, fixed));
        assertTrue(e.getMessage().contains("--layer"), e.getMessage());
    }

    /** The capture never happens: the state stays zero and every later token is pinned to zero. */
    @Test
    void aStateNeverCapturedFailsCheck5() throws Exception {
        Path source = torch();
        ValidationReport r = validate(source, patched(source, SPEC, "never-captured", m -> {
            Node inCall = value(m.graph(), "/sinkfix/positions/capture_1_in_call/output_0").producer();
            Value count = inCall.input(0);
            inCall.setInput(0, inCall.input(1));
            inCall.setInput(1, count);
        }));
        assertFails(r, 5);
        assertTrue(r.check(5).detail().contains("present_sink_state.1"), r.check(5).detail());
    }

    /**
     * The override also applied at the capture position, with the state fed in: the capture
     * position's own output changes, which attention cannot explain.
     */
    @Test
    void anOverrideAtTheCapturePositionFailsCheck1() throws Exception {
        Path source = torch();
        ValidationReport r = validate(source, patched(source, SPEC, "override-at-capture", m -> {
            Graph g = m.graph();
            Node after = value(g, "/sinkfix/positions/capture_1_after/output_0").producer();
            Value atOrAfter = g.addNode("GreaterOrEqual", "", "/mutant/at_or_after", after.inputs(),
                    List.of("/mutant/at_or_after/output_0")).output(0);
            g.replaceAllUsesWith(after.output(0), atOrAfter, false);
            Node widened = value(g, "/sinkfix/layers.1/state_widened/output_0").producer();
            widened.setInput(0, value(g, "past_sink_state.1"));
        }));
        assertFails(r, 1);
        assertTrue(r.check(1).detail().contains("position 1"), r.check(1).detail());
        assertEquals(Status.FAILED, r.check(4).status(), () -> table(r));
    }

    /**
     * The same mask ({@code >=} instead of {@code >}) with the captured value changes no value at
     * all: at the capture position the captured value is the site's own. No check can tell it
     * apart from the correct patch, and none claims to.
     */
    @Test
    void anOverrideAtTheCapturePositionWithTheCapturedValueIsTheSamePatch() throws Exception {
        Path source = torch();
        ValidationReport r = validate(source, patched(source, SPEC, "override-at-capture-same", m -> {
            Graph g = m.graph();
            Node after = value(g, "/sinkfix/positions/capture_1_after/output_0").producer();
            Value atOrAfter = g.addNode("GreaterOrEqual", "", "/mutant/at_or_after", after.inputs(),
                    List.of("/mutant/at_or_after/output_0")).output(0);
            g.replaceAllUsesWith(after.output(0), atOrAfter, false);
        }));
        assertTrue(r.passed(), () -> table(r));
    }

    /** The override from position 0 on: BoS itself is pinned, and its outputs change. */
    @Test
    void anOverrideAtPositionZeroFailsCheck1() throws Exception {
        Path source = torch();
        ValidationReport r = validate(source, patched(source, SPEC, "override-at-zero", m -> {
            Graph g = m.graph();
            Node after = value(g, "/sinkfix/positions/capture_1_after/output_0").producer();
            // capture_1_none is the int64 0 the capture count is compared with
            Value fromZero = g.addNode("GreaterOrEqual", "", "/mutant/from_zero",
                    List.of(after.input(0), value(g, "/sinkfix/positions/capture_1_in_call/output_0").producer().input(1)),
                    List.of("/mutant/from_zero/output_0")).output(0);
            g.replaceAllUsesWith(after.output(0), fromZero, false);
        }));
        assertFails(r, 1);
        assertTrue(r.check(1).detail().contains("position 0"), r.check(1).detail());
        assertEquals(Status.FAILED, r.check(4).status(), () -> table(r));
    }

    /** The graph pins neuron 100, the metadata says 101. */
    @Test
    void aWrongNeuronFailsCheck4() throws Exception {
        Path source = torch();
        ValidationReport r = validate(source, patched(source, SPEC, "wrong-neuron",
                m -> m.metadata().put("sinkfix.layer.1.neurons", "3,17,101")));
        assertFails(r, 4);
        assertTrue(r.check(4).detail().contains("neuron 100"), r.check(4).detail());
    }

    /** The override uses the captured value, but present_sink_state passes the past through. */
    @Test
    void aStateOutputNotConnectedFailsChecks2And5() throws Exception {
        Path source = torch();
        ValidationReport r = validate(source, patched(source, SPEC, "state-not-connected", m -> {
            Graph g = m.graph();
            Node present = g.output("present_sink_state.1").producer();
            Value internal = g.addNode("Where", "", "/mutant/internal_state", present.inputs(),
                    List.of("/mutant/internal_state/output_0")).output(0);
            value(g, "/sinkfix/layers.1/state_widened/output_0").producer().setInput(0, internal);
            present.setInput(1, present.input(2));
        }));
        assertFails(r, 5);
        assertEquals(Status.FAILED, r.check(2).status(), () -> table(r));
    }
}
