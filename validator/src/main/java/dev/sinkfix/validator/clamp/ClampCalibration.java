package dev.sinkfix.validator.clamp;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.validator.PaddedBatch;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.SiteTaps;
import dev.sinkfix.validator.SiteTensor;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.validator.TokenPositions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the ordinary range of each chosen neuron for clamp mode: runs the original model on
 * varied prompts, reads the site at every real token after the capture position, and widens the
 * observed {@code [min, max]} by {@code margin} times its span on each side (so a neuron seen in
 * {@code [-1, 3]} with margin 0.25 gets {@code [-2, 4]}). A span of zero is widened by
 * {@code margin} times the value's magnitude instead.
 */
public final class ClampCalibration {
    /** The margin {@code patch --mode clamp} uses unless told otherwise. */
    public static final double DEFAULT_MARGIN = 0.25;

    private ClampCalibration() {
    }

    /**
     * Ranges per layer, in each spec's neuron order, and what they were measured on.
     *
     * @param positions how many (row, token) slots after the capture position were read
     */
    public record Result(Map<Integer, List<NeuronRange>> ranges, int prompts, long positions, double margin) {
        public String source() {
            return "calibrated on " + prompts + " prompts (" + positions + " positions), margin " + margin;
        }
    }

    public static Result calibrate(Path originalFile, List<SinkSpec> layers, List<PaddedBatch> prompts, double margin,
                                   SessionConfig config, Consumer<String> warnings) throws IOException, OrtException {
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new BadInputException("the clamp margin must be 0 or more, got " + margin);
        }
        if (prompts.isEmpty()) {
            throw new BadInputException("no calibration prompts");
        }
        Model model = ModelLoader.load(originalFile);
        Decoder decoder = DecoderMatcher.match(model);
        Map<Integer, String> siteNames = new LinkedHashMap<>();
        for (SinkSpec s : layers) {
            if (s.layer() < 0 || s.layer() >= decoder.layers().size()) {
                throw new BadInputException("layer " + s.layer() + " does not exist: the model has "
                        + decoder.layers().size() + " layers, 0 to " + (decoder.layers().size() - 1));
            }
            siteNames.put(s.layer(), decoder.layer(s.layer()).site(s.site()).name());
        }
        SiteTaps.expose(model, decoder.dtype(), siteNames.values().toArray(String[]::new));
        Map<Integer, float[][]> seen = new LinkedHashMap<>();
        for (SinkSpec s : layers) {
            float[][] minMax = new float[2][s.neurons().size()];
            Arrays.fill(minMax[0], Float.POSITIVE_INFINITY);
            Arrays.fill(minMax[1], Float.NEGATIVE_INFINITY);
            seen.put(s.layer(), minMax);
        }
        long positions = 0;
        boolean hasMask = decoder.attentionMask() != null;
        try (ScratchModel scratch = ScratchModel.of(model);
             ModelSession session = Sessions.open(scratch.file(), config, warnings)) {
            for (PaddedBatch prompt : prompts) {
                StepInputs call = prompt.columns(0, prompt.columns());
                Stepper.Step step = Stepper.run(session, call, Stepper.emptyPast(session, call.batch()));
                TokenPositions where = TokenPositions.of(decoder.positions(), call, hasMask);
                for (SinkSpec s : layers) {
                    SiteTensor site = SiteTensor.of(step.output(siteNames.get(s.layer())), call.batch(), call.length());
                    float[][] minMax = seen.get(s.layer());
                    for (int b = 0; b < call.batch(); b++) {
                        for (int t = 0; t < call.length(); t++) {
                            if (!where.isOverridden(b, t, s.capturePosition())) {
                                continue;
                            }
                            if (s == layers.get(0)) {
                                positions++;
                            }
                            for (int k = 0; k < s.neurons().size(); k++) {
                                float v = site.get(b, t, s.neurons().get(k));
                                minMax[0][k] = Math.min(minMax[0][k], v);
                                minMax[1][k] = Math.max(minMax[1][k], v);
                            }
                        }
                    }
                }
            }
        }
        Map<Integer, List<NeuronRange>> ranges = new LinkedHashMap<>();
        for (SinkSpec s : layers) {
            float[][] minMax = seen.get(s.layer());
            List<NeuronRange> list = new ArrayList<>();
            for (int k = 0; k < s.neurons().size(); k++) {
                if (!Float.isFinite(minMax[0][k]) || !Float.isFinite(minMax[1][k])) {
                    throw new BadInputException("calibration saw no finite value of neuron " + s.neurons().get(k)
                            + " of layer " + s.layer() + " after the capture position; give longer prompts or the "
                            + "range with --clamp N=LO:HI");
                }
                list.add(widen(minMax[0][k], minMax[1][k], margin));
            }
            ranges.put(s.layer(), list);
        }
        return new Result(ranges, prompts.size(), positions, margin);
    }

    static NeuronRange widen(float lo, float hi, double margin) {
        double span = hi - lo;
        double pad = span > 0 ? margin * span : margin * Math.max(Math.abs(lo), Math.abs(hi));
        return new NeuronRange((float) (lo - pad), (float) (hi + pad));
    }
}
