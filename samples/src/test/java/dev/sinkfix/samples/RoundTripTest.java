package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Import + export without change: ONNX Runtime gives bit-identical outputs for every sample and the real export. */
class RoundTripTest {
    @TempDir
    Path tmp;

    static Stream<String> presets() {
        return SmallPresets.names();
    }

    @ParameterizedTest
    @MethodSource("presets")
    void samplesRunBitIdenticallyAfterLoadAndSave(String preset) throws Exception {
        SampleSpec spec = Samples.preset(preset);
        Path original = Samples.write(preset, tmp.resolve("a"));
        assertSameOutputs(spec, original, roundTrip(original));
    }

    @Test
    void theRealExportRunsBitIdenticallyAfterLoadAndSave() throws Exception {
        Path real = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16", "model.onnx");
        SampleSpec shape = new SampleSpec(Family.LLAMA, ExportStyle.GENAI, Precision.FP16, 2, 16, 64, 1, 1, 32000, 2048, 0);
        assertSameOutputs(shape, real, roundTrip(real));
    }

    private Path roundTrip(Path model) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("b")).resolve("model.onnx");
        ModelSaver.create().save(ModelLoader.load(model), out);
        return out;
    }

    private static void assertSameOutputs(SampleSpec spec, Path a, Path b) throws Exception {
        long[] ids = SmallPresets.tokens(spec, 7, 99);
        long[][] tokens = {ids};
        long[][] mask = {SmallPresets.ones(ids.length)};
        long[][] positions = {SmallPresets.range(0, ids.length)};
        try (DecoderRunner ra = new DecoderRunner(spec, a); DecoderRunner rb = new DecoderRunner(spec, b)) {
            DecoderRunner.Step sa = ra.step(tokens, mask, positions, ra.emptyCache(1));
            DecoderRunner.Step sb = rb.step(tokens, mask, positions, rb.emptyCache(1));
            assertBits("logits", sa.logits(), sb.logits());
            for (int i = 0; i < spec.layers(); i++) {
                assertBits("present." + i + ".key", sa.cache().keys().get(i), sb.cache().keys().get(i));
                assertBits("present." + i + ".value", sa.cache().values().get(i), sb.cache().values().get(i));
            }
        }
    }

    private static void assertBits(String name, HostTensor x, HostTensor y) {
        assertArrayEquals(x.shape(), y.shape(), name + " shape");
        assertEquals(x.dtype(), y.dtype(), name + " type");
        // fp16 values are exact in fp32, so comparing the fp32 bits compares the fp16 bits too.
        int[] bx = new int[x.values().length];
        int[] by = new int[y.values().length];
        for (int i = 0; i < bx.length; i++) {
            bx[i] = Float.floatToRawIntBits(x.values()[i]);
            by[i] = Float.floatToRawIntBits(y.values()[i]);
        }
        assertArrayEquals(bx, by, name + " differs after a round trip");
    }
}
