package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.validator.PairedStepper.PairedStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer of a three-layer model patched at once, with different sites, neuron counts and
 * capture positions: they share the position nodes, two share a selection, one has its own. A later layer's site depends on the earlier patch, so
 * each layer is checked against its own unpatched site read from the patched model itself.
 */
class MultiLayerPatchTest {
    private static final List<SinkSpec> SPECS = List.of(new SinkSpec(0, List.of(3, 17), MlpSite.UP, 1),
            new SinkSpec(1, List.of(5), MlpSite.ACT, 1), new SinkSpec(2, List.of(100, 7, 50), MlpSite.GATE, 2));

    @TempDir
    static Path scratch;
    private static final Map<String, Opened> OPEN = new HashMap<>();

    private record Opened(ModelSession session, List<PatchedLayer> layers, Decoder decoder, Chunking chunking) {
        Set<String> taps() {
            Set<String> taps = new HashSet<>();
            layers.forEach(l -> {
                taps.add(l.siteTensor());
                taps.add(l.patchedTensor());
            });
            return taps;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of("mistral-torch-fp32", "mistral-genai-fp16", "mistral-dynamo-fp32")
                .flatMap(p -> Stream.of(Scenario.values()).map(s -> Arguments.of(p, s)));
    }

    @AfterAll
    static void closeSessions() {
        OPEN.values().forEach(o -> o.session().close());
        OPEN.clear();
    }

    private static Opened open(String preset) throws Exception {
        Opened known = OPEN.get(preset);
        if (known != null) {
            return known;
        }
        Path source = Samples.write(preset, scratch.resolve("source").resolve(preset));
        Model model = ModelLoader.load(source);
        Decoder decoder = DecoderMatcher.match(model);
        List<SinkPatch.LayerResult> results = SinkPatch.apply(model, decoder, SPECS, "validator-test");
        List<PatchedLayer> layers = new ArrayList<>();
        for (int i = 0; i < SPECS.size(); i++) {
            PatchedLayer layer = PatchedLayer.of(SPECS.get(i), results.get(i));
            SiteTaps.expose(model, decoder.dtype(), layer.siteTensor(), layer.patchedTensor());
            layers.add(layer);
        }
        Path file = Files.createDirectories(scratch.resolve("patched").resolve(preset)).resolve("model.onnx");
        ModelSaver.create().save(model, file);
        ModelSession session = Sessions.open(file, SessionConfig.defaults().withDevice(Device.CPU)
                .withIntraOpThreads(1).withOptimization(GraphOptimization.DISABLE), w -> { });
        Opened opened = new Opened(session, layers, decoder, Chunking.of(decoder, false));
        OPEN.put(preset, opened);
        return opened;
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cases")
    void eachLayerKeepsItsInvariants(String preset, Scenario scenario) throws Exception {
        Opened o = open(preset);
        assertEquals(SPECS.size(), Stepper.cachePairs(o.session()).keySet().stream()
                .filter(n -> n.startsWith("past_sink_state.")).count(), "one state pair per patched layer");
        PaddedBatch batch = scenario.batch(o.decoder().vocabSize());
        List<List<StepInputs>> splits = scenario.splits(batch).stream().filter(o.chunking()::allows).toList();
        Findings pinned = new Findings("invariant 3");
        Findings onlyPinned = new Findings("invariant 4 (against the layer's own unpatched site)");
        Findings reference = new Findings("the reference");
        Findings sameRun = new Findings("invariant 2");
        List<List<Stepper.Step>> runs = new ArrayList<>();
        for (List<StepInputs> split : splits) {
            Stepper stepper = new Stepper(o.session(), batch.rows());
            List<Stepper.Step> run = new ArrayList<>();
            for (int i = 0; i < split.size(); i++) {
                Stepper.Step step = stepper.step(split.get(i));
                run.add(step);
                PairedStep self = new PairedStep(step.inputs(), TokenPositions.of(o.decoder().positions(),
                        step.inputs(), true), step, step);
                for (PatchedLayer layer : o.layers()) {
                    String call = "layer " + layer.layer() + ", " + PatchInvariantsTest.describe(split, i);
                    StepVerdict v = StepVerdict.check(layer, self, Tolerance.EXACT, o.taps());
                    pinned.add(call, v.pinned());
                    onlyPinned.add(call, v.onlyPinnedDiffer());
                    reference.add(call, v.reference());
                }
            }
            runs.add(run);
        }
        Stepper.Step whole = runs.get(0).get(0);
        TokenPositions where = TokenPositions.of(o.decoder().positions(), whole.inputs(), true);
        Tolerance tolerance = Tolerances.acrossCalls(o.decoder().dtype());
        for (int r = 1; r < runs.size(); r++) {
            List<Stepper.Step> run = runs.get(r);
            String split = "split " + PatchInvariantsTest.sizes(splits.get(r));
            sameRun.add(split, PatchInvariants.sameAcrossCalls("logits", whole.output("logits"),
                    HostTensor.concat(1, run.stream().map(s -> s.output("logits")).toList()),
                    new TensorComparison.Layout(1, 0, where), tolerance));
            for (PatchedLayer layer : o.layers()) {
                sameRun.add(split, PatchInvariants.sameState(layer, whole.output(layer.stateOutput()).rows(),
                        run.get(run.size() - 1).output(layer.stateOutput()).rows(), tolerance));
            }
        }
        String subject = preset + " layers 0, 1 and 2 / " + scenario;
        assertAll(pinned.assertion(subject), onlyPinned.assertion(subject), reference.assertion(subject),
                sameRun.assertion(subject));
    }
}
