package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.ExporterStyle;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.match.PositionSource;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The matcher on every sample style: the same figures from TorchScript, dynamo and genai graphs alike. */
class SampleMatchTest {
    @TempDir
    Path tmp;

    static java.util.stream.Stream<String> presets() {
        return SmallPresets.names();
    }

    @ParameterizedTest
    @MethodSource("presets")
    void findsWhatTheGeneratorBuilt(String preset) throws Exception {
        SampleSpec spec = Samples.preset(preset);
        Decoder d = DecoderMatcher.match(ModelLoader.load(Samples.write(preset, tmp)));

        assertEquals(spec.layers(), d.layers().size());
        assertEquals(spec.hidden(), d.hiddenSize());
        assertEquals(spec.intermediate(), d.intermediateSize());
        assertEquals(spec.heads(), d.heads());
        assertEquals(spec.kvHeads(), d.kvHeads());
        assertEquals(spec.headDim(), d.headDim());
        assertEquals(spec.vocab(), d.vocabSize());
        assertEquals(spec.dtype() == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT, d.dtype());
        assertEquals(spec.family().name(), d.family().name(), d.familyEvidence());
        assertEquals(switch (spec.style()) {
            case TORCH -> ExporterStyle.TORCH_SCRIPT;
            case GENAI -> ExporterStyle.GENAI;
            case DYNAMO -> ExporterStyle.TORCH_DYNAMO;
        }, d.exporter(), d.exporterEvidence());
        assertEquals(PositionSource.POSITION_IDS, d.positions());
        assertEquals("input_ids", d.inputIds().name());
        assertEquals("attention_mask", d.attentionMask().name());
        assertEquals("logits", d.logits().name());
        assertEquals(spec.layers(), d.kvCache().size());

        for (DecoderLayer layer : d.layers()) {
            int i = layer.index();
            assertEquals("past_key_values." + i + ".key", d.kvCache().get(i).pastKey().name());
            assertEquals("past_key_values." + i + ".value", d.kvCache().get(i).pastValue().name());
            assertEquals("present." + i + ".key", d.kvCache().get(i).presentKey().name());
            assertEquals("present." + i + ".value", d.kvCache().get(i).presentValue().name());
            // The act site is the product of the other two sites' paths and feeds the down projection.
            Node product = layer.site(MlpSite.ACT).producer();
            assertTrue(product.isStandard("Mul"));
            assertSame(layer.mlp().down().node(), layer.site(MlpSite.ACT).uses().get(0).node());
            assertTrue(product.inputs().contains(layer.site(MlpSite.UP)), "up feeds the product directly");
            if (spec.style() == ExportStyle.GENAI) {
                assertTrue(layer.attention().isFused(), layer.attention().kind());
                assertNull(layer.attention().probabilities());
            } else {
                assertNotNull(layer.attention().probabilities());
                assertTrue(layer.attention().probabilities().producer().isStandard("Softmax"));
            }
            // Dynamo graphs name no node after its layer; the weight's name is the only hint left.
            assertEquals("layers." + i, layer.nameHint());
            if (spec.style() == ExportStyle.DYNAMO) {
                assertTrue(layer.mlp().down().node().isStandard("Gemm"));
                assertFalse(layer.mlp().down().node().name().contains("layers"), layer.mlp().down().node().name());
            }
        }
    }
}
