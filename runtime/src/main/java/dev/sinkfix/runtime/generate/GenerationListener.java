package dev.sinkfix.runtime.generate;

/**
 * Hears a generation as it happens, on the generating thread: for streaming output and progress.
 * Every method does nothing unless overridden.
 */
public interface GenerationListener {
    GenerationListener NONE = new GenerationListener() {};

    /** The prompt pass is about to run over {@code rows} rows of {@code tokens} tokens (padding included). */
    default void prefillStarted(int rows, int tokens) {}

    /** The prompt pass took {@code nanos}. */
    default void prefillFinished(long nanos) {}

    /** Row {@code row} got its next token (a stop token included). */
    default void token(int row, long token) {}

    /** A listener that only hears tokens. */
    static GenerationListener onToken(TokenConsumer consumer) {
        return new GenerationListener() {
            @Override
            public void token(int row, long token) {
                consumer.accept(row, token);
            }
        };
    }

    /** {@code (row, token)}. */
    @FunctionalInterface
    interface TokenConsumer {
        void accept(int row, long token);
    }
}
