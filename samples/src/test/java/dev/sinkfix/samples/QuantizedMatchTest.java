package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matcher on the quantized samples: the same layers and sizes as on the float sample they
 * come from, every site a float tensor that a float operator reads, each projection of the form
 * its quantizer writes.
 */
class QuantizedMatchTest {
    @TempDir
    Path tmp;

    static Stream<String> names() {
        return QuantizedSamples.names().stream();
    }

    @ParameterizedTest
    @MethodSource("names")
    void findsTheFloatSamplesLayersAndFloatSites(String name) throws Exception {
        QuantizedSamples.Entry entry = QuantizedSamples.entry(name);
        SampleSpec spec = entry.baseSpec();
        Decoder d = DecoderMatcher.match(ModelLoader.load(Samples.write(name, tmp)));

        assertEquals(spec.layers(), d.layers().size());
        assertEquals(spec.hidden(), d.hiddenSize());
        assertEquals(spec.intermediate(), d.intermediateSize());
        assertEquals(spec.heads(), d.heads());
        assertEquals(spec.vocab(), d.vocabSize());
        assertEquals(DataType.FLOAT, d.dtype(), "the site type is the float type, not the weights' integer type");
        assertEquals(spec.layers(), d.kvCache().size());
        assertEquals(expectedEmbedding(entry.quantization()), d.embeddings().producer().opType(),
                "the residual stream starts at the float embedding " + d.embeddings());
        for (DecoderLayer layer : d.layers()) {
            assertEquals("layers." + layer.index(), layer.nameHint());
            assertEquals("present." + layer.index() + ".key", d.kvCache().get(layer.index()).presentKey().name());
            assertEquals("present." + layer.index() + ".value", d.kvCache().get(layer.index()).presentValue().name());
            for (MlpSite site : MlpSite.values()) {
                Value v = layer.site(site);
                Node producer = v.producer();
                assertTrue(producesFloat(producer, entry.quantization()), name + " layer " + layer.index() + " "
                        + site.cliName() + " site " + v + " is produced by " + producer + ", not a float operator");
            }
            for (var linear : java.util.List.of(layer.mlp().gate(), layer.mlp().up(), layer.mlp().down())) {
                assertEquals(expectedProjection(entry.quantization()), linear.node().opType(), linear.toString());
                assertEquals(DataType.FLOAT, linear.dtype(), linear.toString());
            }
        }
    }

    /** ORT's default op types quantize every Gather of a float table: the embedding and both rotary tables. */
    @org.junit.jupiter.api.Test
    void dynamicGatherQuantizesEveryGatheredTable() throws Exception {
        var model = ModelLoader.load(Samples.write(QuantizedSamples.INT8_DYNAMIC_GATHER, tmp));
        long gathersBehindDequantize = model.graph().nodes().stream()
                .filter(n -> n.isStandard("DequantizeLinear") && n.input(0).producer() != null
                        && n.input(0).producer().isStandard("Gather"))
                .count();
        assertEquals(3, gathersBehindDequantize, "the embedding, cos and sin tables are int8 behind DequantizeLinear");
    }

    private static boolean producesFloat(Node producer, Quantization q) {
        return switch (producer.opType()) {
            case "Mul", "MatMul", "MatMulNBits" -> true;
            default -> false;
        };
    }

    private static String expectedEmbedding(Quantization q) {
        return switch (q) {
            case MATMUL_NBITS_INT4_GATHER -> "GatherBlockQuantized";
            case DYNAMIC_INT8_GATHER -> "DequantizeLinear";
            default -> "Gather";
        };
    }

    private static String expectedProjection(Quantization q) {
        return switch (q) {
            case MATMUL_NBITS_INT4, MATMUL_NBITS_INT4_ZERO_POINTS, MATMUL_NBITS_INT4_GATHER -> "MatMulNBits";
            case DYNAMIC_INT8, DYNAMIC_INT8_GATHER -> "MatMulInteger";
            case QDQ_INT8 -> "MatMul";
        };
    }
}
