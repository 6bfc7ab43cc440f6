package dev.sinkfix.cli;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.rewrite.ClampPatch;
import dev.sinkfix.surgery.rewrite.ClampSpec;
import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.validator.clamp.CalibrationPrompts;
import dev.sinkfix.validator.clamp.ClampCalibration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code patch --mode clamp}: the ranges come from {@code --clamp [L:]N=LO:HI} where given, and
 * from calibrating the original model (on the CPU) for every neuron without one.
 */
final class ClampMode {
    private ClampMode() {
    }

    /** The options of {@code patch} that only clamp mode reads. */
    record Settings(List<String> given, Path calibration, double margin, long bos) {
    }

    static List<ClampPatch.LayerResult> apply(Path in, Model model, Decoder decoder, List<SinkSpec> specs, Settings s,
                                              String toolVersion, PrintWriter err) throws Exception {
        Map<Integer, Map<Integer, NeuronRange>> given = parseGiven(s.given(), specs);
        List<SinkSpec> toCalibrate = new ArrayList<>();
        for (SinkSpec spec : specs) {
            Map<Integer, NeuronRange> known = given.getOrDefault(spec.layer(), Map.of());
            if (!known.keySet().containsAll(spec.neurons())) {
                toCalibrate.add(spec);
            }
        }
        ClampCalibration.Result calibrated = null;
        if (!toCalibrate.isEmpty()) {
            long vocab = decoder.vocabSize() > 3 ? decoder.vocabSize() : 32;
            calibrated = ClampCalibration.calibrate(in, toCalibrate,
                    CalibrationPrompts.prompts(vocab, s.bos(), s.calibration(), in), s.margin(),
                    SessionConfig.defaults().withDevice(Device.CPU), w -> err.println("onnx-sinkfix: warning: " + w));
        } else if (s.calibration() != null) {
            throw new BadInputException("--calibration is not used: --clamp gives the range of every neuron");
        }
        List<ClampSpec> clampSpecs = new ArrayList<>();
        for (SinkSpec spec : specs) {
            Map<Integer, NeuronRange> known = given.getOrDefault(spec.layer(), Map.of());
            List<NeuronRange> measured = calibrated == null ? null : calibrated.ranges().get(spec.layer());
            List<NeuronRange> ranges = new ArrayList<>();
            boolean anyMeasured = false;
            for (int k = 0; k < spec.neurons().size(); k++) {
                NeuronRange r = known.get(spec.neurons().get(k));
                if (r == null) {
                    r = measured.get(k);
                    anyMeasured = true;
                }
                ranges.add(r);
            }
            String source = anyMeasured ? calibrated.source() + (known.isEmpty() ? "" : "; neurons "
                    + known.keySet().stream().sorted().map(String::valueOf).collect(Collectors.joining(","))
                    + " given with --clamp") : "given with --clamp";
            clampSpecs.add(new ClampSpec(spec, ranges, source));
        }
        return ClampPatch.apply(model, decoder, clampSpecs, toolVersion);
    }

    /** {@code [L:]N=LO:HI} per option; without {@code L:} only when one layer is patched. */
    static Map<Integer, Map<Integer, NeuronRange>> parseGiven(List<String> given, List<SinkSpec> specs) {
        Map<Integer, Map<Integer, NeuronRange>> byLayer = new HashMap<>();
        for (String text : given) {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--clamp '" + text + "' is not [LAYER:]NEURON=LO:HI (for example 7890=-1.5:2.0)");
            }
            String left = text.substring(0, eq).trim();
            NeuronRange range = NeuronRange.parse(text.substring(eq + 1).trim());
            int layer;
            int neuron;
            try {
                int colon = left.indexOf(':');
                if (colon >= 0) {
                    layer = Integer.parseInt(left.substring(0, colon).trim());
                    neuron = Integer.parseInt(left.substring(colon + 1).trim());
                } else {
                    if (specs.size() != 1) {
                        throw new BadInputException("--clamp '" + text + "' names no layer and " + specs.size()
                                + " layers are patched; write LAYER:NEURON=LO:HI");
                    }
                    layer = specs.get(0).layer();
                    neuron = Integer.parseInt(left);
                }
            } catch (NumberFormatException e) {
                throw new BadInputException("--clamp '" + text + "' is not [LAYER:]NEURON=LO:HI (for example 7890=-1.5:2.0)");
            }
            SinkSpec spec = specs.stream().filter(x -> x.layer() == layer).findFirst().orElseThrow(() ->
                    new BadInputException("--clamp '" + text + "': layer " + layer + " is not being patched"));
            if (!spec.neurons().contains(neuron)) {
                throw new BadInputException("--clamp '" + text + "': neuron " + neuron + " is not among the neurons "
                        + spec.neurons() + " of layer " + layer);
            }
            if (byLayer.computeIfAbsent(layer, l -> new HashMap<>()).put(neuron, range) != null) {
                throw new BadInputException("--clamp gives neuron " + neuron + " of layer " + layer + " twice");
            }
        }
        return byLayer;
    }

    static void report(PrintWriter out, List<ClampPatch.LayerResult> results, Model model) {
        for (ClampPatch.LayerResult r : results) {
            out.printf("layer %d: clamped neurons %s of %s after the capture position (mode clamp, no state)%n",
                    r.layer(), r.neurons(), r.site());
            for (int k = 0; k < r.neurons().size(); k++) {
                out.printf("  neuron %d: range %s%n", r.neurons().get(k), r.ranges().get(k).text().replace(":", " to "));
            }
            String source = model.metadata().get("sinkfix.layer." + r.layer() + ".range_source");
            if (source != null) {
                out.printf("  ranges %s%n", source);
            }
            out.printf("  readers now read %s%n", r.patchedSite());
            out.printf("  %d nodes added (standard ONNX operators); inputs and outputs unchanged%n", r.nodesAdded());
        }
    }
}
