package dev.sinkfix.runtime.generate;

import dev.sinkfix.runtime.Device;
import java.util.Arrays;
import java.util.List;

/**
 * What a generation produced and how long it took.
 *
 * @param tokens        per row, the new tokens (a stop token included as the last)
 * @param finish        per row, why it ended
 * @param promptLengths per row, the prompt's length without padding
 * @param prefillNanos  the prompt pass, from making its inputs to reading its scores
 * @param decodeNanos   each later call, one per decode step (all rows at once)
 * @param provider      where it ran
 */
public record Generation(List<long[]> tokens, List<Finish> finish, int[] promptLengths, long prefillNanos,
                         long[] decodeNanos, Device provider) {

    /** Why a row ended. */
    public enum Finish {
        /** It produced one of the stop tokens. */
        STOP_TOKEN,
        /** It reached the maximum number of new tokens. */
        MAX_NEW_TOKENS
    }

    public Generation {
        tokens = tokens.stream().map(long[]::clone).toList();
        finish = List.copyOf(finish);
        promptLengths = promptLengths.clone();
        decodeNanos = decodeNanos.clone();
    }

    @Override
    public List<long[]> tokens() {
        return tokens.stream().map(long[]::clone).toList();
    }

    public long[] tokens(int row) {
        return tokens.get(row).clone();
    }

    @Override
    public int[] promptLengths() {
        return promptLengths.clone();
    }

    @Override
    public long[] decodeNanos() {
        return decodeNanos.clone();
    }

    /** The median time of one decode step; 0 when there was none. */
    public long medianDecodeNanos() {
        if (decodeNanos.length == 0) {
            return 0;
        }
        long[] sorted = decodeNanos.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * Tokens the decode steps produced per second, all rows counted; NaN when there was no decode
     * step. The prefill's token is not counted: its time is the prompt's.
     */
    public double decodeTokensPerSecond() {
        long total = Arrays.stream(decodeNanos).sum();
        if (decodeNanos.length == 0 || total == 0) {
            return Double.NaN;
        }
        long produced = tokens.stream().mapToLong(t -> Math.max(0, t.length - 1)).sum();
        return produced * 1e9 / total;
    }
}
