package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The silent-renumbering case: one layer's MLP has an extra node after its up projection, so
 * the matcher cannot read it. That layer must keep its index and be refused with the reason;
 * every other layer keeps its index, and a patch of it acts, under ONNX Runtime, on the layer
 * it names (the variant computes what the sample computes, so the patched logits must agree
 * with the sample patched at the same layer, and differ from the sample patched one layer on).
 */
class LayersKeepTheirIndexTest {
    private static final List<Integer> NEURONS = List.of(3, 40, 101);
    private static final int BROKEN = 1;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"llama-torch-fp32, 2", "llama-torch-fp32, 4", "llama-dynamo-fp32, 4", "llama-genai-fp32, 4"})
    void anUnreadableMlpIsRefusedAndEveryOtherLayerKeepsItsIndex(String preset, int layers) throws Exception {
        SampleSpec spec = Samples.preset(preset).withLayers(layers);
        Path original = Samples.write(spec, tmp.resolve("original"));
        Path variant = GraphVariants.variant(original, tmp.resolve("variant"),
                m -> GraphVariants.extraNodeAfterUp(m, BROKEN));

        Decoder od = DecoderMatcher.match(ModelLoader.load(original));
        Model vm = ModelLoader.load(variant);
        Decoder vd = DecoderMatcher.match(vm);
        assertEquals(layers, vd.layers().size(), "every layer is found, the unreadable one too");
        assertFalse(vd.layer(BROKEN).recognized());
        assertTrue(vd.layer(BROKEN).whyUnrecognized().contains("times_one"), vd.layer(BROKEN).whyUnrecognized());
        for (int l = 0; l < layers; l++) {
            if (l != BROKEN) {
                assertTrue(vd.layer(l).recognized(), "layer " + l);
                assertEquals(od.layer(l).site(MlpSite.UP).name(), vd.layer(l).site(MlpSite.UP).name(), "layer " + l);
            }
        }
        BadInputException refused = assertThrows(BadInputException.class, () -> SinkPatch.apply(vm, vd,
                List.of(new SinkSpec(BROKEN, NEURONS, MlpSite.UP, 1)), "test"));
        assertTrue(refused.getMessage().startsWith("layer 1's MLP was not recognised"), refused.getMessage());
        assertTrue(refused.getMessage().contains("times_one"), refused.getMessage());

        long[] ids = SmallPresets.tokens(spec, 9, 5);
        for (int l = 0; l < layers; l++) {
            if (l == BROKEN) {
                continue;
            }
            float[] patchedVariant = logits(spec, GraphVariants.patched(variant, tmp.resolve("pv" + l), l, NEURONS,
                    MlpSite.UP), l, ids);
            float[] patchedSample = logits(spec, GraphVariants.patched(original, tmp.resolve("ps" + l), l, NEURONS,
                    MlpSite.UP), l, ids);
            int other = l + 1 < layers ? l + 1 : l - 1;
            float[] otherLayer = logits(spec, GraphVariants.patched(original, tmp.resolve("po" + l), other, NEURONS,
                    MlpSite.UP), other, ids);
            float agree = maxDiff(patchedVariant, patchedSample);
            float apart = maxDiff(patchedVariant, otherLayer);
            assertTrue(agree < 1e-4f, preset + " layer " + l + ": the variant patched there differs from the sample "
                    + "patched there by " + agree);
            assertTrue(apart > 100 * Math.max(agree, 1e-6f), preset + " layer " + l + ": patching layer " + other
                    + " instead must show (difference " + apart + ")");
        }
    }

    static float[] logits(SampleSpec spec, Path model, int patchedLayer, long[] ids) throws Exception {
        try (DecoderRunner r = new DecoderRunner(spec, model)) {
            int n = NEURONS.size();
            return r.outputs(new long[][] {ids}, new long[][] {SmallPresets.ones(ids.length)},
                    new long[][] {SmallPresets.range(0, ids.length)}, r.emptyCache(1),
                    Map.of("past_sink_state." + patchedLayer, Feeds.floats(new float[n], 1, n)))
                    .get("logits").values();
        }
    }

    static float maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
