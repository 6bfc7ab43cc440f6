package dev.sinkfix.surgery.match;

/**
 * The outcome of trying to read one candidate as a gated MLP: the MLP, or the check that
 * failed and why (the rewriter's pattern / check / reason, instead of a silent null).
 */
record MlpMatch(GatedMlp mlp, String why) {
    static MlpMatch found(GatedMlp mlp) {
        return new MlpMatch(mlp, null);
    }

    static MlpMatch failed(String why) {
        return new MlpMatch(null, why);
    }

    boolean ok() {
        return mlp != null;
    }
}
