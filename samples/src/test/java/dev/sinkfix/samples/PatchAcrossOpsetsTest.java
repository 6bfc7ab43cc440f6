package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The patch uses operators in forms valid from opset 13 on: the dynamo sample (opset 18, every
 * operator it uses unchanged since) re-stamped at later opsets is patched and run by ONNX
 * Runtime, and tokens up to the capture position keep their logits bit for bit.
 */
class PatchAcrossOpsetsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {18, 21, 23, 24})
    void patchedModelsRunAtLaterOpsets(int opset) throws Exception {
        SampleSpec spec = Samples.preset("llama-dynamo-fp32");
        Model stamped = ModelLoader.load(Samples.write("llama-dynamo-fp32", tmp.resolve("src")));
        ModelProto.Builder header = stamped.extras().toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        Model original = new Model(header.setIrVersion(opset >= 21 ? 10 : 8).build(), stamped.graph(),
                stamped.metadata(), stamped.source());
        Path originalFile = Files.createDirectories(tmp.resolve("o" + opset)).resolve("model.onnx");
        ModelSaver.create().save(original, originalFile);

        Model patched = ModelLoader.load(originalFile);
        SinkPatch.apply(patched, DecoderMatcher.match(patched), List.of(new SinkSpec(1, List.of(3, 40), MlpSite.UP, 1)), "t");
        Path patchedFile = originalFile.resolveSibling("patched.onnx");
        ModelSaver.create().save(patched, patchedFile);

        long[] ids = SmallPresets.tokens(spec, 8, 3);
        long[][] tokens = {ids};
        long[][] mask = {SmallPresets.ones(ids.length)};
        long[][] positions = {SmallPresets.range(0, ids.length)};
        try (DecoderRunner a = new DecoderRunner(spec, originalFile); DecoderRunner b = new DecoderRunner(spec, patchedFile)) {
            float[] before = a.step(tokens, mask, positions, a.emptyCache(1)).logits().values();
            float[] after = b.outputs(tokens, mask, positions, b.emptyCache(1),
                    Map.of("past_sink_state.1", HostTensor.zeros(DataType.FLOAT, 1, 2))).get("logits").values();
            int upToCapture = 2 * spec.vocab();
            assertArrayEquals(Arrays.copyOf(before, upToCapture), Arrays.copyOf(after, upToCapture),
                    "opset " + opset + ": positions 0 and 1 cannot see the patch");
            assertFalse(Arrays.equals(before, after), "opset " + opset + ": the patch changes later positions");
            assertTrue(Float.isFinite(after[after.length - 1]));
        }
    }
}
