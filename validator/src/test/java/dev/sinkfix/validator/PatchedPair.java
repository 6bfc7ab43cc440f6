package dev.sinkfix.validator;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.PositionSource;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model and its patched copy, open side by side: the original with the site as an extra
 * output, the patched one with the patched site as an extra output. Both are saved from the same
 * source file and opened with the same session options, so every layer before the patch is the
 * same computation in both.
 */
final class PatchedPair implements AutoCloseable {
    final PatchCase patchCase;
    final PatchedLayer layer;
    final DataType dtype;
    final long vocab;
    final PositionSource positions;
    final Chunking chunking;
    final ModelSession original;
    final ModelSession patched;

    private PatchedPair(PatchCase patchCase, PatchedLayer layer, DataType dtype, long vocab, PositionSource positions,
                        Chunking chunking, ModelSession original, ModelSession patched) {
        this.patchCase = patchCase;
        this.layer = layer;
        this.dtype = dtype;
        this.vocab = vocab;
        this.positions = positions;
        this.chunking = chunking;
        this.original = original;
        this.patched = patched;
    }

    static PatchedPair open(PatchCase c, Path scratch) throws Exception {
        Path source = SourceModels.model(c.model(), scratch);
        Path dir = scratch.resolve("cases").resolve(c.id());
        Path originalFile = Files.createDirectories(dir.resolve("original")).resolve("model.onnx");
        Path patchedFile = Files.createDirectories(dir.resolve("patched")).resolve("model.onnx");

        Model original = ModelLoader.load(source);
        Decoder od = DecoderMatcher.match(original);
        String site = od.layer(c.layer()).site(c.site()).name();
        SiteTaps.expose(original, od.dtype(), site);
        ModelSaver.create().save(original, originalFile);

        Model patched = ModelLoader.load(source);
        Decoder pd = DecoderMatcher.match(patched);
        if (pd.positions() != c.expectedPositions()) {
            throw new IllegalStateException(c + ": the matcher reads positions from " + pd.positions()
                    + ", the case is there to test " + c.expectedPositions());
        }
        SinkPatch.LayerResult result = SinkPatch.apply(patched, pd, List.of(c.spec()), "validator-test").get(0);
        SiteTaps.expose(patched, pd.dtype(), result.patchedSite());
        ModelSaver.create().save(patched, patchedFile);

        SessionConfig config = SessionConfig.defaults().withDevice(Device.CPU).withIntraOpThreads(1)
                .withOptimization(c.optimization());
        ModelSession o = Sessions.open(originalFile, config, w -> { });
        try {
            ModelSession p = Sessions.open(patchedFile, config, w -> { });
            return new PatchedPair(c, PatchedLayer.of(c.spec(), result), pd.dtype(), pd.vocabSize(), pd.positions(),
                    Chunking.of(od, c.isReal()), o, p);
        } catch (Exception | Error e) {
            o.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try (original; patched) {
            // both sessions closed, the second even if the first fails
        }
    }
}
