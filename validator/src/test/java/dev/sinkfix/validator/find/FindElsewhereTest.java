package dev.sinkfix.validator.find;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.match.MlpSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        double[] typical = ResidualsByHand.typicalNorms(model, prompts);
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
        Path source = Path.of(System.getProperty("sinkfix.shared", "../testdata"), "models", "stories260K", "model.onnx");
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
}
