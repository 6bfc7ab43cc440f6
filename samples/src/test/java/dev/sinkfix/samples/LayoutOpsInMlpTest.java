package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layout and precision ops inside the MLP, where real exporters put them (the optimised dynamo
 * SiLU {@code Mul(g, Reshape(Sigmoid(Reshape(g))))}, casts, a transpose of a size-1 axis): the
 * matcher sees through them, the sites it reports are the projection outputs the semantics name
 * (the same tensors as in the plain sample), and under ONNX Runtime the patch and the site taps
 * on the variant give what they give on the sample.
 */
class LayoutOpsInMlpTest {
    private static final List<Integer> NEURONS = List.of(3, 40, 101);
    private static final int LAYER = 1;

    @TempDir
    Path tmp;

    static Stream<Arguments> variants() {
        Map<String, BiConsumer<Model, Integer>> edits = Map.of(
                "reshaped-silu", GraphVariants::reshapedSilu,
                "cast-after-up", GraphVariants::castAfterUp,
                "unit-transpose-after-up", GraphVariants::unitTransposeAfterUp);
        return Stream.of("llama-torch-fp32", "llama-dynamo-fp32", "llama-genai-fp32")
                .flatMap(p -> edits.entrySet().stream().map(e -> Arguments.of(p, e.getKey(), e.getValue())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void patchAndTapsSeeThroughLayoutOps(String preset, String label, BiConsumer<Model, Integer> edit) throws Exception {
        SampleSpec spec = Samples.preset(preset);
        Path original = Samples.write(spec, tmp.resolve("original"));
        Path variant = GraphVariants.variant(original, tmp.resolve("variant"), m -> {
            for (int l = 0; l < spec.layers(); l++) {
                edit.accept(m, l);
            }
        });
        Decoder od = DecoderMatcher.match(ModelLoader.load(original));
        Decoder vd = DecoderMatcher.match(ModelLoader.load(variant));
        assertEquals(od.layers().size(), vd.layers().size());
        for (DecoderLayer l : vd.layers()) {
            assertTrue(l.recognized(), label + " layer " + l.index() + ": " + l.whyUnrecognized());
            for (MlpSite s : MlpSite.values()) {
                assertEquals(od.layer(l.index()).site(s).name(), l.site(s).name(), label + " " + s + " site");
            }
        }

        long[] ids = SmallPresets.tokens(spec, 9, 5);
        float[] patchedVariant = LayersKeepTheirIndexTest.logits(spec, GraphVariants.patched(variant,
                tmp.resolve("pv"), LAYER, NEURONS, MlpSite.UP), LAYER, ids);
        float[] patchedSample = LayersKeepTheirIndexTest.logits(spec, GraphVariants.patched(original,
                tmp.resolve("ps"), LAYER, NEURONS, MlpSite.UP), LAYER, ids);
        float agree = LayersKeepTheirIndexTest.maxDiff(patchedVariant, patchedSample);
        assertTrue(agree < 1e-4f, label + ": patched variant and patched sample differ by " + agree);

        float[] tapVariant = siteTap(spec, variant, tmp.resolve("tv"), ids);
        float[] tapSample = siteTap(spec, original, tmp.resolve("ts"), ids);
        assertEquals(ids.length * NEURONS.size(), tapVariant.length);
        assertTrue(LayersKeepTheirIndexTest.maxDiff(tapVariant, tapSample) < 1e-4f, label + ": site taps differ");
    }

    /** A transpose of axes that may be longer than 1 is not a layout op to the matcher, even where two cancel. */
    @Test
    void aTransposeOfRealAxesIsRefusedWithTheReason() throws Exception {
        Path original = Samples.write("llama-torch-fp32", tmp.resolve("original"));
        Path variant = GraphVariants.variant(original, tmp.resolve("variant"),
                m -> GraphVariants.swappingTransposesAfterUp(m, LAYER));
        Decoder vd = DecoderMatcher.match(ModelLoader.load(variant));
        assertTrue(vd.layer(0).recognized());
        assertTrue(!vd.layer(LAYER).recognized() && vd.layer(LAYER).whyUnrecognized().contains("up_swapped_back"),
                String.valueOf(vd.layer(LAYER).whyUnrecognized()));
    }

    private static float[] siteTap(SampleSpec spec, Path source, Path dir, long[] ids) throws Exception {
        Path tapped = GraphVariants.variant(source, dir, m -> Taps.apply(m, DecoderMatcher.match(m),
                new TapRequest(Set.of(LAYER), false, false, Map.of(MlpSite.UP, NEURONS), false)));
        try (DecoderRunner r = new DecoderRunner(spec, tapped)) {
            return r.outputs(new long[][] {ids}, new long[][] {SmallPresets.ones(ids.length)},
                    new long[][] {SmallPresets.range(0, ids.length)}, r.emptyCache(1))
                    .get("tap.site." + LAYER + ".up").values();
        }
    }
}
