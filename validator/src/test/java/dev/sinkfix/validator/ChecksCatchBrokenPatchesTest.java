package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.validator.PairedStepper.PairedStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks are not vacuous: told the wrong thing about a correct patch, or fed the way a
 * broken generation loop would feed it, they fail, and say where.
 */
class ChecksCatchBrokenPatchesTest {
    private static final PatchCase CASE = new PatchCase("llama-torch-fp32", MlpSite.UP, 1, List.of(3, 17, 100), 1,
            GraphOptimization.DISABLE);

    @TempDir
    static Path scratch;
    private static PatchedPair pair;

    @BeforeAll
    static void open() throws Exception {
        pair = PatchedPair.open(CASE, scratch);
    }

    @AfterAll
    static void close() {
        pair.close();
    }

    private static PairedStep wholePrompt(Scenario scenario) throws Exception {
        return PairedStepper.run(pair.original, pair.patched, pair.positions,
                scenario.splits(scenario.batch(pair.vocab)).get(0)).get(0);
    }

    private static PatchedLayer told(int capture, List<Integer> neurons) {
        PatchedLayer l = pair.layer;
        return new PatchedLayer(l.layer(), l.site(), neurons, capture, l.siteTensor(), l.patchedTensor(),
                l.stateInput(), l.stateOutput());
    }

    @Test
    void theCorrectDescriptionPasses() throws Exception {
        assertTrue(StepVerdict.check(pair.layer, wholePrompt(Scenario.RANDOM_PROMPT), Tolerance.EXACT).holds());
    }

    @Test
    void aWrongCapturePositionIsCaught() throws Exception {
        StepVerdict v = StepVerdict.check(told(2, pair.layer.neurons()), wholePrompt(Scenario.RANDOM_PROMPT),
                Tolerance.EXACT);
        // Invariant 3 alone still holds: the state and the pinned values agree with each other.
        assertFalse(v.onlyPinnedDiffer().isEmpty(), "invariant 4: position 2 differs though not pinned at capture 2");
        assertTrue(v.onlyPinnedDiffer().stream().allMatch(m -> m.slot().equals("position 2")),
                () -> Mismatch.report("invariant 4", v.onlyPinnedDiffer()));
        assertFalse(v.reference().isEmpty(), "reference");
        String message = v.reference().get(0).describe();
        assertTrue(message.contains("row 0") && message.contains("neuron") && message.contains("reference")
                && message.contains("patched"), message);
    }

    @Test
    void neuronsInAnotherOrderAreCaughtInTheState() throws Exception {
        StepVerdict v = StepVerdict.check(told(1, List.of(17, 3, 100)), wholePrompt(Scenario.RANDOM_PROMPT),
                Tolerance.EXACT);
        assertTrue(v.onlyPinnedDiffer().isEmpty(), "the same set of neurons differs");
        assertTrue(v.reference().stream().anyMatch(m -> m.tensor().equals("present_sink_state.1")),
                () -> Mismatch.report("reference", v.reference()));
    }

    @Test
    void theUnpatchedSiteIsNotAPatchedOne() throws Exception {
        PatchedLayer l = pair.layer;
        PatchedLayer readsOriginal = new PatchedLayer(l.layer(), l.site(), l.neurons(), l.capturePosition(),
                l.siteTensor(), l.patchedTensor(), l.stateInput(), l.stateOutput());
        PairedStep step = wholePrompt(Scenario.REPEATED_TOKEN);
        Map<String, HostTensor> outputs = new LinkedHashMap<>(step.patched().outputs());
        outputs.put(l.patchedTensor(), step.original().output(l.siteTensor()));
        PairedStep swapped = new PairedStep(step.inputs(), step.where(),
                new Stepper.Step(step.inputs(), step.patched().pastFed(), outputs), step.original());
        StepVerdict v = StepVerdict.check(readsOriginal, swapped, Tolerance.EXACT);
        assertFalse(v.pinned().isEmpty(), "invariant 3");
        assertFalse(v.reference().isEmpty(), "reference");
    }

    /** Counting columns instead of reading the mask would capture a padded slot of the short row. */
    @Test
    void positionsThatIgnorePaddingAreCaught() throws Exception {
        PairedStep step = wholePrompt(Scenario.LEFT_PADDED_PAIR);
        TokenPositions byColumn = TokenPositions.of(dev.sinkfix.surgery.match.PositionSource.PAST_LENGTH,
                step.inputs(), false);
        StepVerdict v = StepVerdict.check(pair.layer,
                new PairedStep(step.inputs(), byColumn, step.patched(), step.original()), Tolerance.EXACT);
        assertTrue(v.reference().stream().anyMatch(m -> m.row() == 1 && m.tensor().equals("present_sink_state.1")),
                () -> Mismatch.report("reference", v.reference()));
        assertTrue(v.reference().stream().noneMatch(m -> m.row() == 0), "the unpadded row is right either way");
    }

    /** Hugging Face's position id 1 on padding, taken as real, is a second token at the capture position. */
    @Test
    void theReferenceRefusesTwoTokensAtTheCapturePosition() throws Exception {
        PairedStep step = wholePrompt(Scenario.LEFT_PADDED_PAIR);
        TokenPositions where = step.where();
        boolean[][] allReal = new boolean[where.batch()][where.length()];
        for (boolean[] row : allReal) {
            java.util.Arrays.fill(row, true);
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StepVerdict.check(pair.layer, new PairedStep(step.inputs(),
                        new TokenPositions(where.positions(), allReal), step.patched(), step.original()),
                        Tolerance.EXACT));
        assertTrue(e.getMessage().contains("row 1 has two real tokens at the capture position 1"), e.getMessage());
    }

    /**
     * The poster's bug, planted in a real patched graph: capture and override without the mask.
     * Hugging Face gives padding position id 1, so the short row captures a padded slot.
     */
    @Test
    void aPatchThatIgnoresTheMaskIsCaught() throws Exception {
        Model model = ModelLoader.load(SourceModels.model(CASE.model(), scratch));
        Decoder decoder = DecoderMatcher.match(model);
        SinkPatch.LayerResult result = SinkPatch.apply(model, decoder, List.of(CASE.spec()), "mutant").get(0);
        Graph g = model.graph();
        for (String rule : List.of("here", "after")) {
            String prefix = "/sinkfix/positions/capture_1_" + rule;
            g.replaceAllUsesWith(g.value(prefix + "_real/output_0"), g.value(prefix + "/output_0"), false);
        }
        g.removeDeadNodes();
        SiteTaps.expose(model, decoder.dtype(), result.patchedSite());
        Path file = Files.createDirectories(scratch.resolve("mutant")).resolve("model.onnx");
        ModelSaver.create().save(model, file);
        try (ModelSession mutant = Sessions.open(file, SessionConfig.defaults().withDevice(Device.CPU)
                .withIntraOpThreads(1).withOptimization(GraphOptimization.DISABLE), w -> { })) {
            PaddedBatch batch = Scenario.LEFT_PADDED_PAIR.batch(pair.vocab);
            PairedStep step = PairedStepper.run(pair.original, mutant, pair.positions,
                    List.of(batch.columns(0, batch.columns()))).get(0);
            StepVerdict v = StepVerdict.check(pair.layer, step, Tolerances.unchanged(pair.dtype));
            assertFalse(v.holds());
            // Padding's position id 1 is not after the capture position: nothing is pinned there, so
            // invariant 4 holds; the capture sums the padded slots in and every pinned value is wrong.
            assertTrue(v.reference().stream().anyMatch(m -> m.row() == 1 && m.tensor().equals(result.patchedSite())
                    && m.slot().equals("position 2")), () -> Mismatch.report("reference", v.reference()));
            assertTrue(v.reference().stream().anyMatch(m -> m.row() == 1 && m.tensor().equals("present_sink_state.1")),
                    () -> Mismatch.report("reference", v.reference()));
            assertTrue(v.reference().stream().noneMatch(m -> m.row() == 0), "the unpadded row is right either way");
        }
    }

    /** A loop that feeds a zero state every call pins decode steps to zero: invariant 2 sees it. */
    @Test
    void aLoopThatDropsTheStateIsCaught() throws Exception {
        PaddedBatch batch = Scenario.RANDOM_PROMPT.batch(pair.vocab);
        Stepper.Step whole = Stepper.run(pair.patched, batch.columns(0, batch.columns()),
                Stepper.emptyPast(pair.patched, 1));
        Map<String, HostTensor> past = Stepper.emptyPast(pair.patched, 1);
        HostTensor zeros = past.get(pair.layer.stateInput());
        List<HostTensor> logits = new ArrayList<>();
        for (StepInputs call : batch.prefillThenDecode(4)) {
            Stepper.Step step = Stepper.run(pair.patched, call, past);
            logits.add(step.output("logits"));
            past = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : Stepper.cachePairs(pair.patched).entrySet()) {
                past.put(e.getKey(), e.getKey().equals(pair.layer.stateInput()) ? zeros : step.output(e.getValue()));
            }
        }
        List<Mismatch> found = PatchInvariants.sameAcrossCalls("logits", whole.output("logits"),
                HostTensor.concat(1, logits), new TensorComparison.Layout(1, 0,
                        TokenPositions.of(pair.positions, whole.inputs(), true)), Tolerances.acrossCalls(pair.dtype));
        assertFalse(found.isEmpty(), "dropping the state must change the decode steps' logits");
        assertTrue(found.stream().allMatch(m -> m.column() >= 4), "the prefill itself is unaffected");
    }
}
