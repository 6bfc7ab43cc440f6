package dev.sinkfix.validator.find;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import dev.sinkfix.validator.DecoderStepper;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.StepInputs;
import dev.sinkfix.validator.probe.RepeatProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** find beyond the built-in sink sample: a sink planted another way, a really trained model, random models. */
class FindElsewhereTest {
    @TempDir
    Path tmp;

    @Test
    void findsAPlantedSinkOfAnotherLayerSiteAndCountExactly() throws Exception {
        Path model = PlantedSink.write(tmp);
        FindReport r = SinkFinder.find(model, FindSettings.defaults().withSite(MlpSite.GATE).withRepeats(List.of(), 200),
                SinkSamplesFindTest.CPU, "test", w -> { }, p -> { });
        assertEquals(FindReport.SINK, r.verdict(), r.reason());
        assertEquals(PlantedSink.LAYER, r.sink().layer(), r.reason());
        assertEquals(MlpSite.GATE, r.sink().site());
        assertEquals(PlantedSink.NEURONS, r.sink().neurons().stream().sorted().toList(), r.reason());
        assertTrue(r.sink().command().endsWith("--layer 2 --neurons " + String.join(",",
                r.sink().neurons().stream().map(String::valueOf).toList()) + " --site gate"), r.sink().command());
        assertNull(r.sink().climbStopped(), "a sink of one token id does not climb on repeats: " + r.reason());
        assertTrue(r.repeats().stream().allMatch(f -> f.original() == null), r.repeats().toString());
        LayerEvidence sinkLayer = r.layers().get(PlantedSink.LAYER);
        assertEquals(PlantedSink.NEURONS, sinkLayer.neurons().subList(0, 3).stream().map(NeuronEvidence::neuron)
                .sorted().toList(), "the three planted neurons score highest: " + sinkLayer.neurons());
        for (LayerEvidence l : r.layers().subList(0, PlantedSink.LAYER)) {
            assertFalse(l.standsOut() && l.extreme(), "no earlier layer qualifies: " + l);
        }
        for (CandidateCheck c : r.candidates()) {
            if (PlantedSink.NEURONS.contains(c.neuron())) {
                assertTrue(c.bosNormZeroedAlone() >= r.ordinaryBelow(), "one neuron alone does not remove the sink, "
                        + "so the set is not one neuron short: " + c);
            }
        }
    }

    @Test
    void stories260kHasNoSinkAndTheFiguresAreItsOwn() throws Exception {
        Path model = stories(tmp);
        List<long[]> prompts = prompts(512, 3, 40, 7);
        FindReport r = SinkFinder.find(model, FindSettings.defaults().withPrompts(prompts), SinkSamplesFindTest.CPU,
                "test", w -> { }, p -> { });
        assertEquals(FindReport.NONE, r.verdict(), r.reason());
        assertNull(r.sink());
        assertTrue(r.candidates().isEmpty() && r.repeats().isEmpty(), "no neuron search without a sink");
        assertEquals(List.of(0, 1, 2, 3, 4), r.window());

        PlainBos.Norms plain = PlainBos.of(model, 1);
        double[] typical = typicalResidNorms(model, prompts);
        for (LayerEvidence l : r.layers()) {
            int i = l.layer();
            assertEquals(plain.resid()[i], l.bosResidNorm(), 1e-4 * plain.resid()[i], "BoS residual norm, layer " + i);
            assertEquals(plain.mlp()[i], l.bosMlpNorm(), 1e-4 * plain.mlp()[i], "BoS MLP output norm, layer " + i);
            assertEquals(typical[i], l.typicalResidNorm(), 1e-4 * typical[i], "typical residual norm, layer " + i);
            assertFalse(l.extreme(), "layer " + i + " is not extreme: " + l);
            assertTrue(l.bosResidNorm() < 2 * l.typicalResidNorm(), "BoS is ordinary in stories260K: " + l);
        }
        assertTrue(r.reason().startsWith("no early layer has an extreme BoS"), r.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-torch-fp32", "mistral-genai-fp16", "llama-dynamo-fp32"})
    void randomSamplesHaveNone(String preset) throws Exception {
        Path model = Samples.write(preset, tmp.resolve(preset));
        FindReport r = SinkFinder.find(model, FindSettings.defaults(), SinkSamplesFindTest.CPU, "test", w -> { },
                p -> { });
        assertEquals(FindReport.NONE, r.verdict(), r.reason());
        assertNull(r.sink());
        assertTrue(r.layers().stream().noneMatch(LayerEvidence::extreme), r.layers().toString());
        assertTrue(r.layers().stream().allMatch(l -> l.neurons().size() == 8
                && l.neurons().get(0).score() >= l.neurons().get(7).score()), "top neurons sorted by score");
    }

    static Path stories(Path tmp) throws Exception {
        Path source = Path.of(System.getProperty("sinkfix.shared", "../../shared"), "models", "stories260K", "model.onnx");
        Path copy = tmp.resolve("stories260K").resolve("model.onnx");
        Files.createDirectories(copy.getParent());
        Files.copy(source, copy);
        return copy;
    }

    static List<long[]> prompts(long vocab, int count, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<long[]> prompts = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            long[] ids = new long[length];
            ids[0] = 1;
            for (int t = 1; t < length; t++) {
                ids[t] = 3 + random.nextLong(vocab - 3);
            }
            prompts.add(ids);
        }
        return prompts;
    }

    /** Medians after BoS of the residual norms, through the validator's own stepping and only a norm tap. */
    private static double[] typicalResidNorms(Path file, List<long[]> prompts) throws Exception {
        Model model = ModelLoader.load(file);
        Decoder decoder = DecoderMatcher.match(model);
        int layers = decoder.layers().size();
        Taps.apply(model, decoder, new TapRequest(null, true, false, Map.of(), false));
        List<List<Float>> values = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            values.add(new ArrayList<>());
        }
        try (ScratchModel scratch = ScratchModel.of(model);
             ModelSession session = Sessions.open(scratch.file(), SinkSamplesFindTest.CPU, w -> { })) {
            for (long[] ids : prompts) {
                long[] mask = new long[ids.length];
                long[] positions = new long[ids.length];
                Arrays.fill(mask, 1);
                Arrays.setAll(positions, t -> t);
                DecoderStepper.Step step = DecoderStepper.run(session,
                        new StepInputs(new long[][] {ids}, new long[][] {mask}, new long[][] {positions}),
                        DecoderStepper.emptyPast(session, 1));
                for (int l = 0; l < layers; l++) {
                    float[] norms = step.output("tap.resid_norm." + l).values();
                    for (int t = 1; t < norms.length; t++) {
                        values.get(l).add(norms[t]);
                    }
                }
            }
        }
        double[] typical = new double[layers];
        for (int l = 0; l < layers; l++) {
            float[] v = new float[values.get(l).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(l).get(i);
            }
            typical[l] = RepeatProbe.median(v);
        }
        return typical;
    }
}
