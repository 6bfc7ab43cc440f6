package dev.sinkfix.validator;

import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.match.PositionSource;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One model and one patch of it. Samples run with graph optimisation off, so ONNX Runtime runs
 * the graphs as written, and two of them once more with ALL, so its fusions meet the patch; the
 * real export cannot run unoptimised (its Range node trips a buffer-reuse error) and runs with
 * BASIC, once with ALL as well.
 */
record PatchCase(String model, MlpSite site, int layer, List<Integer> neurons, int capturePosition,
                 GraphOptimization optimization) {
    static final String REAL = SourceModels.REAL;
    private static final List<Integer> THREE = List.of(3, 17, 100);
    /** Out of order on purpose: the state keeps the order given, not the sorted one. */
    private static final List<Integer> TWO = List.of(100, 7);

    /** Where the patched graph must read positions from, as the model's inputs decide it. */
    PositionSource expectedPositions() {
        if (model.endsWith(label(PositionInputs.Variant.MASK_ONLY))) {
            return PositionSource.ATTENTION_MASK;
        }
        return model.endsWith(label(PositionInputs.Variant.KV_CACHE_ONLY)) ? PositionSource.PAST_LENGTH
                : PositionSource.POSITION_IDS;
    }

    /** Without an attention mask a model cannot be fed padding. */
    boolean hasMask() {
        return expectedPositions() != PositionSource.PAST_LENGTH;
    }

    static String label(PositionInputs.Variant variant) {
        return " (" + variant.label + ")";
    }

    SinkSpec spec() {
        return new SinkSpec(layer, neurons, site, capturePosition);
    }

    boolean isReal() {
        return model.equals(REAL);
    }

    /**
     * Every small preset patched at its default; then the other sites and capture positions,
     * samples that must take positions from the mask or the cache length, and the real export.
     */
    static List<PatchCase> all() {
        List<PatchCase> cases = new ArrayList<>();
        Samples.presetNames().stream().filter(n -> !n.equals("mid"))
                .forEach(n -> cases.add(sample(n, MlpSite.UP, THREE, 1)));
        for (String n : List.of("llama-torch-fp32", "mistral-torch-fp16", "llama-genai-fp16", "mistral-genai-fp32")) {
            cases.add(sample(n, MlpSite.GATE, TWO, 1));
            cases.add(sample(n, MlpSite.ACT, THREE, 1));
        }
        cases.add(sample("llama-dynamo-fp32", MlpSite.ACT, TWO, 1));
        cases.add(sample("llama-genai-fp16", MlpSite.UP, TWO, 2));
        cases.add(sample("mistral-dynamo-fp32", MlpSite.GATE, THREE, 2));
        cases.add(sample("mistral-torch-fp32", MlpSite.UP, TWO, 0));
        cases.add(new PatchCase("llama-genai-fp16", MlpSite.UP, 1, THREE, 1, GraphOptimization.ALL));
        cases.add(new PatchCase("mistral-torch-fp32", MlpSite.ACT, 1, THREE, 1, GraphOptimization.ALL));
        cases.add(sample("llama-torch-fp32" + label(PositionInputs.Variant.MASK_ONLY), MlpSite.UP, THREE, 1));
        cases.add(sample("mistral-torch-fp16" + label(PositionInputs.Variant.MASK_ONLY), MlpSite.GATE, TWO, 2));
        cases.add(sample("llama-torch-fp16" + label(PositionInputs.Variant.KV_CACHE_ONLY), MlpSite.UP, THREE, 1));
        cases.add(sample("mistral-torch-fp32" + label(PositionInputs.Variant.KV_CACHE_ONLY), MlpSite.ACT, TWO, 2));
        cases.add(real(MlpSite.UP, List.of(5, 40), 1, GraphOptimization.BASIC));
        cases.add(real(MlpSite.GATE, List.of(63, 5, 40), 1, GraphOptimization.BASIC));
        cases.add(real(MlpSite.ACT, List.of(5, 40), 1, GraphOptimization.BASIC));
        cases.add(real(MlpSite.UP, List.of(5, 40), 2, GraphOptimization.BASIC));
        cases.add(real(MlpSite.UP, List.of(5, 40), 1, GraphOptimization.ALL));
        return cases;
    }

    private static PatchCase sample(String preset, MlpSite site, List<Integer> neurons, int capture) {
        return new PatchCase(preset, site, 1, neurons, capture, GraphOptimization.DISABLE);
    }

    private static PatchCase real(MlpSite site, List<Integer> neurons, int capture, GraphOptimization level) {
        return new PatchCase(REAL, site, 1, neurons, capture, level);
    }

    /** A folder name for the case's files. */
    String id() {
        return (model + "-" + site.cliName() + "-c" + capturePosition + "-" + neurons.size() + "n-"
                + optimization).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "_");
    }

    @Override
    public String toString() {
        return model + " layer " + layer + " " + site.cliName() + " " + neurons + " capture " + capturePosition
                + (optimization == GraphOptimization.DISABLE ? "" : " opt " + optimization.name().toLowerCase(Locale.ROOT));
    }
}
