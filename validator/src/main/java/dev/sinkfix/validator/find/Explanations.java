package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.match.MlpSite;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The sentences find's verdict is given in, with the numbers that decided it, and the patch commands. */
final class Explanations {
    private Explanations() {
    }


    static String noSinkReason(List<LayerEvidence> layers, FindSettings s) {
        LayerEvidence most = layers.stream().max((a, b) -> Double.compare(a.residRatio(), b.residRatio())).orElseThrow();
        return String.format(Locale.ROOT, "no early layer has an extreme BoS: the largest BoS residual norm is "
                + "%.2fx its typical value (layer %d: %.4g against %.4g) and its BoS MLP output %.2fx; a sink needs "
                + "both at %.0fx and a BoS MLP output above mean + 2 sigma of the other early layers",
                most.residRatio(), most.layer(), most.bosResidNorm(), most.typicalResidNorm(), most.mlpRatio(),
                s.sinkFactor());
    }


    static String sinkReason(Observations o, int l, double outlier, SinkAnswer a, double ordinary,
                                     List<RepeatFigure> repeats) {
        String climb;
        if (a.climbStopped() == null) {
            climb = "the original's repeats never reach half the BoS norm within " + repeats.get(0).length()
                    + ", so there is no climb to stop";
        } else {
            climb = repeats.stream().map(r -> "token " + r.token() + ": " + count(r.original(), r.length()) + " -> "
                    + count(r.patched(), r.length())).collect(Collectors.joining(", "));
            climb = (a.climbStopped() ? "the patch stops the repeat climb (" : "the patch does NOT stop the repeat "
                    + "climb (") + climb + ")";
        }
        return String.format(Locale.ROOT, "layer %d is the first whose BoS MLP output (%.4g) is above mean + 2 sigma of "
                + "the other early layers (%.4g) and %.0fx its typical value; the BoS residual norm after it is %.4g, "
                + "%.0fx typical. Zeroing neuron%s %s at BoS brings it to %.4g (ordinary: below %.4g); %s",
                l, o.bosMlp.get(l), outlier, o.bosMlp.get(l) / o.typicalMlp.get(l), o.bosResid.get(l),
                o.bosResid.get(l) / o.typicalResid.get(l), a.neurons().size() == 1 ? "" : "s",
                a.neurons().stream().map(String::valueOf).collect(Collectors.joining(", ")), a.bosNormAllZeroed(),
                ordinary, climb);
    }


    static String count(Integer threshold, int length) {
        return threshold == null ? "never within " + length : threshold + " repeats";
    }


    static String command(Path model, int layer, List<Integer> neurons, MlpSite site, boolean clamp) {
        String path = model.toString();
        String quoted = path.matches("[A-Za-z0-9_./:@+-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
        return "onnx-sinkfix patch " + quoted + " --layer " + layer + " --neurons "
                + neurons.stream().map(String::valueOf).collect(Collectors.joining(","))
                + (site == MlpSite.UP ? "" : " --site " + site.cliName()) + (clamp ? " --mode clamp" : "");
    }

    static String notFewNeurons(Observations o, int l, int candidates, double zeroed, double ordinary) {
        return String.format(Locale.ROOT, "BoS is extreme after layer %d (residual norm %.4g, %.1fx its typical %.4g), "
                + "but zeroing its top %d candidates together at BoS leaves %.4g, not below %.4g: not a sink of a few "
                + "neurons that the patch could fix", l, o.bosResid.get(l), o.bosResid.get(l) / o.typicalResid.get(l),
                o.typicalResid.get(l), candidates, zeroed, ordinary);
    }
}
