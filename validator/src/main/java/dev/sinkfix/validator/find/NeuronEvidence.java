package dev.sinkfix.validator.find;

/**
 * One neuron of a layer's site: its activation at BoS, its typical |activation| on varied text
 * (median over positions after BoS), their ratio, the norm of its write into the residual
 * ({@code down_proj} row; 1 where that weight could not be read), and the score
 * {@code |bos| * write_norm}. {@code repeat} (the largest |activation| at the last token of the
 * repeat runs) and {@code repeatScore} are null outside the sink layer.
 */
public record NeuronEvidence(int neuron, double bos, double typical, double ratio, double writeNorm, double score,
                             Double repeat, Double repeatScore) {
}
