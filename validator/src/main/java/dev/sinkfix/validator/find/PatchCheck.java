package dev.sinkfix.validator.find;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.probe.LayerNorms;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The proposed patch itself, not an imitation: the model patched by {@link SinkPatch} exactly as
 * {@code patch} would (replay, capture position 1) in a scratch copy with a residual-norm tap,
 * run on the same repeat runs, so the figure printed for "after" is the real patched model's.
 */
final class PatchCheck {
    private PatchCheck() {
    }

    static List<LayerNorms> repeats(Path modelFile, int layer, List<Integer> neurons, MlpSite site, long bos,
                                    List<Long> tokens, int length, double typicalResid, double sinkFactor,
                                    String toolVersion, SessionConfig config, Consumer<String> progress)
            throws IOException, OrtException {
        Model model = ModelLoader.load(modelFile);
        Decoder decoder = DecoderMatcher.match(model);
        SinkPatch.apply(model, decoder, List.of(new SinkSpec(layer, neurons, site, 1)), toolVersion);
        Taps.apply(model, decoder, new TapRequest(Set.of(layer), true, false, Map.of(), false));
        List<LayerNorms> figures = new ArrayList<>();
        progress.accept("writing the patched scratch copy");
        try (ScratchModel scratch = ScratchModel.of(model)) {
            progress.accept("creating the patched model's session");
            try (ModelSession session = Sessions.open(scratch.file(), config, w -> { })) {
                progress.accept("running the proposed patch");
                TokenRuns runs = new TokenRuns(session);
                for (long token : tokens) {
                    float[] norms = runs.run(RepeatRuns.ids(bos, token, length), Map.of(), Set.of(Names.resid(layer)))
                            .get(Names.resid(layer)).values();
                    figures.add(RepeatRuns.figures(layer, norms, typicalResid, bos, token, sinkFactor));
                }
            }
        }
        return figures;
    }
}
