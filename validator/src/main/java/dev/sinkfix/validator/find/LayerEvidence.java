package dev.sinkfix.validator.find;

import java.util.List;

/**
 * One early layer's figures. Norms are L2 norms at BoS alone and typical (median over the
 * positions after BoS of varied text): the residual stream after the layer and the layer's MLP
 * output. {@code outlierThreshold} is mean + 2 sigma of the BoS MLP output norms of the other
 * early layers; {@code standsOut} says the layer's BoS MLP output is above it, {@code extreme}
 * that both its BoS norms are at least the sink factor times their typical values.
 * {@code neurons}: the top candidates of the layer by score.
 */
public record LayerEvidence(int layer, double bosResidNorm, double typicalResidNorm, double bosMlpNorm,
                            double typicalMlpNorm, double outlierThreshold, boolean standsOut, boolean extreme,
                            String writeNote, List<NeuronEvidence> neurons) {

    public LayerEvidence {
        neurons = List.copyOf(neurons);
    }

    public double residRatio() {
        return bosResidNorm / typicalResidNorm;
    }

    public double mlpRatio() {
        return bosMlpNorm / typicalMlpNorm;
    }
}
