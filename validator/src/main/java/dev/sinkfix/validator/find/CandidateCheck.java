package dev.sinkfix.validator.find;

/**
 * The causal check of one candidate neuron of the sink layer: the BoS residual norm after the
 * layer with this neuron alone zeroed at BoS, whether it is in the answer, and why.
 */
public record CandidateCheck(int neuron, double score, double repeatScore, double bosNormZeroedAlone, boolean kept,
                             String why) {
}
