package dev.sinkfix.validator.validate;

/**
 * What the patch does, beside whether it is right: how often the patched model's greedy choice
 * is the original's, and the residual norms of the repeat task before and after.
 *
 * @param positions            real tokens whose next-token choice (argmax of the logits) was compared
 * @param agree                of those, where original and patched choose the same token
 * @param positionsAfterCapture the tokens after the capture position (the only ones the patch can change)
 * @param agreeAfterCapture    of those, where the choices agree
 * @param norms                the repeat task at the patched layer, or null when it could not run
 * @param normsUnavailable     why {@code norms} is null
 */
public record Effects(long positions, long agree, long positionsAfterCapture, long agreeAfterCapture, Norms norms,
                      String normsUnavailable) {

    /**
     * Residual norms after {@code layer} on BoS followed by {@code token} {@code repeats} times.
     *
     * @param bos          BoS norm in the original model (the patch cannot change it)
     * @param typical      median norm over varied text, original model
     * @param runOriginal  median norm over the repeated tokens, original model
     * @param runPatched   the same, patched model
     * @param lastOriginal norm at the last repeat, original
     * @param lastPatched  norm at the last repeat, patched
     */
    public record Norms(int layer, long token, int repeats, double bos, double typical, double runOriginal,
                        double runPatched, double lastOriginal, double lastPatched) {
    }

    public double agreement() {
        return positions == 0 ? Double.NaN : (double) agree / positions;
    }
}
