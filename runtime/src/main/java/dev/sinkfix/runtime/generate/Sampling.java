package dev.sinkfix.runtime.generate;

/**
 * How the next token is chosen from the scores. Temperature 0 is greedy (the highest score, the
 * lowest id on a tie); above 0 the scores are divided by it, cut to the {@code topK} best
 * (0: no cut) and to the smallest set whose probability reaches {@code topP} (1: no cut), and
 * one is drawn with a generator seeded by {@code seed}: the same seed gives the same tokens.
 */
public record Sampling(double temperature, int topK, double topP, long seed) {
    public static final Sampling GREEDY = new Sampling(0, 0, 1, 0);

    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or more, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be 0 (off) or more, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
    }

    public static Sampling seeded(double temperature, int topK, double topP, long seed) {
        return new Sampling(temperature, topK, topP, seed);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
