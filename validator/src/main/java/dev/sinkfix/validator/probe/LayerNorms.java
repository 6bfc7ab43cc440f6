package dev.sinkfix.validator.probe;

/**
 * Residual-stream norms after one layer. {@code run[k]} is the norm at the (k+1)-th repeat;
 * {@code threshold} is the first repeat count whose norm reaches half the BoS norm, or null when
 * none does within the run or BoS is not a sink here ({@code hasSink} false).
 */
public record LayerNorms(int layer, double bos, double typical, double runFirst, double runMedian, double runLast,
                         boolean hasSink, Integer threshold, float[] run) {

    /** The norm at repeat {@code n} (1-based), or NaN beyond the run. */
    public double atRepeat(int n) {
        return n >= 1 && n <= run.length ? run[n - 1] : Double.NaN;
    }
}
