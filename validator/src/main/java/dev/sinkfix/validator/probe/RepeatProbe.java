package dev.sinkfix.validator.probe;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.FixedShape;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import dev.sinkfix.validator.ScratchModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs the poster's repeat task on a model with residual-norm taps added on the fly (in a
 * scratch copy: the model's files are not changed), and the same taps on varied text for the
 * typical norm. One prefill of the longest run gives the norm at every repeat count, since
 * attention is causal.
 */
public final class RepeatProbe {
    private RepeatProbe() {
    }

    public static ModelProbe probe(Path modelFile, ProbeSettings s, SessionConfig config, Consumer<String> warnings)
            throws IOException, OrtException {
        Model model = ModelLoader.load(modelFile);
        Decoder decoder = DecoderMatcher.match(model);
        int layers = decoder.layers().size();
        if (s.layer() != null && (s.layer() < 0 || s.layer() >= layers)) {
            throw new BadInputException("layer " + s.layer() + " does not exist: the model has " + layers
                    + " layers, 0 to " + (layers - 1));
        }
        long vocab = decoder.vocabSize();
        for (long id : new long[] {s.bos(), s.token()}) {
            if (id < 0 || (vocab > 0 && id >= vocab)) {
                throw new BadInputException("token id " + id + " is outside the vocabulary of " + vocab);
            }
        }
        if (s.longestRun() < 1) {
            throw new BadInputException("repeat counts must be 1 or more");
        }
        Taps.apply(model, decoder, new TapRequest(s.layer() == null ? null : Set.of(s.layer()), true, false, Map.of(), false));
        try (ScratchModel scratch = ScratchModel.of(model);
             ModelSession session = Sessions.open(scratch.file(), config, warnings)) {
            return probe(session, modelFile.toString(), layers, vocab, s);
        }
    }

    /**
     * The repeat task on an open session of a model that already has {@code tap.resid_norm.L}
     * outputs (for the layers to report): lets a caller that holds tapped sessions reuse them.
     */
    public static ModelProbe probe(ModelSession session, String label, int layers, long vocab, ProbeSettings s)
            throws OrtException {
        FixedShape fixed = FixedShape.of(session.input(Stepper.INPUT_IDS));
        HostTensor[] run = residNorms(session, repeatTask(s, fixed), layers);
        float[][] varied = variedNorms(session, s, vocab, layers, fixed);
        List<LayerNorms> result = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            if (run[l] != null) {
                // Row 0, the run itself: a fixed-length model's filler after it is left out.
                float[] norms = Arrays.copyOf(run[l].values(), s.longestRun() + 1);
                result.add(summarize(l, norms, median(varied[l]), s));
            }
        }
        return new ModelProbe(label, session.provider().id(), result);
    }

    /** Per layer, the norms at positions 1.. of every varied prompt. */
    private static float[][] variedNorms(ModelSession session, ProbeSettings s, long vocab, int layers,
                                         FixedShape fixed) throws OrtException {
        int perPrompt = fixed.columns() > 0 ? (int) Math.min(s.variedLength(), fixed.columns() - 1) : s.variedLength();
        float[][] varied = new float[layers][s.variedPrompts() * perPrompt];
        SplittableRandom random = new SplittableRandom(s.seed());
        long low = Math.min(2, vocab - 1);
        for (int p = 0; p < s.variedPrompts(); p++) {
            long[] ids = new long[perPrompt + 1];
            ids[0] = s.bos();
            for (int t = 1; t < ids.length; t++) {
                ids[t] = low + random.nextLong(Math.max(1, vocab - low));
            }
            HostTensor[] norms = residNorms(session, call(ids, fixed), layers);
            for (int l = 0; l < layers; l++) {
                if (norms[l] != null) {
                    System.arraycopy(norms[l].values(), 1, varied[l], p * perPrompt, perPrompt);
                }
            }
        }
        return varied;
    }

    private static StepInputs repeatTask(ProbeSettings s, FixedShape fixed) {
        long[] ids = new long[s.longestRun() + 1];
        Arrays.fill(ids, s.token());
        ids[0] = s.bos();
        if (fixed.columns() > 0 && ids.length > fixed.columns()) {
            throw new BadInputException("the model takes exactly " + fixed.columns() + " tokens per call (its input_ids "
                    + "has a fixed shape), so BoS and " + s.longestRun() + " repeats do not fit; give --repeats up to "
                    + (fixed.columns() - 1));
        }
        return call(ids, fixed);
    }

    /** One whole-sequence call of {@code ids}, shaped as the model fixes it ({@link FixedShape}). */
    private static StepInputs call(long[] ids, FixedShape fixed) {
        long[][] rows = fixed.fit(ids);
        return new StepInputs(rows, FixedShape.ones(rows), FixedShape.columns(rows));
    }

    /** tap.resid_norm.L of one call for every tapped layer (null where not tapped). */
    private static HostTensor[] residNorms(ModelSession session, StepInputs call, int layers) throws OrtException {
        Stepper.Step step;
        try {
            step = Stepper.run(session, call, Stepper.emptyPast(session, call.batch()));
        } catch (OrtException e) {
            throw new BadInputException("the model could not run " + call.length() + " tokens in one call ("
                    + Sessions.condense(e.getMessage()) + "); try smaller --repeats");
        }
        HostTensor[] norms = new HostTensor[layers];
        for (int l = 0; l < layers; l++) {
            norms[l] = step.outputs().get("tap.resid_norm." + l);
        }
        return norms;
    }

    /** The probe's figures for one layer from its norms along a run (BoS first); shared with {@code find}. */
    public static LayerNorms summarize(int layer, float[] norms, double typical, ProbeSettings s) {
        double bos = norms[0];
        float[] run = Arrays.copyOfRange(norms, 1, norms.length);
        boolean sink = bos >= s.sinkFactor() * typical;
        Integer threshold = null;
        if (sink) {
            for (int n = 1; n <= run.length; n++) {
                if (run[n - 1] >= 0.5 * bos) {
                    threshold = n;
                    break;
                }
            }
        }
        return new LayerNorms(layer, bos, typical, run[0], median(run), run[run.length - 1], sink, threshold, run);
    }

    public static double median(float[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        float[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
