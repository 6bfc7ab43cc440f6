package dev.sinkfix.samples;

/**
 * The model families the tool patches. They share one layout; Mistral differs by grouped-query
 * attention ({@code kvHeads < heads}) and a larger rotary base, which is why it gets its own
 * presets: surgery must find the KV cache and the repeat of KV heads in both.
 */
public enum Family {
    LLAMA(10_000.0),
    MISTRAL(1_000_000.0);

    private final double ropeTheta;

    Family(double ropeTheta) {
        this.ropeTheta = ropeTheta;
    }

    /** The rotary base the family's configs use (Llama-2: 10000, Mistral v0.2+: 1e6). */
    public double ropeTheta() {
        return ropeTheta;
    }
}
