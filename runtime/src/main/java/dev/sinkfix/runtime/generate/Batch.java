package dev.sinkfix.runtime.generate;

import java.util.Arrays;
import java.util.List;

/**
 * Prompts padded on the left to one length, with Hugging Face's mask and positions: mask 0 on
 * padding, positions {@code cumsum(mask) - 1} and 1 on padding.
 */
record Batch(long[][] ids, long[][] mask, long[][] positions, int[] promptLengths) {

    static Batch leftPadded(List<long[]> prompts, long padToken) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompt to generate for");
        }
        int columns = 0;
        for (int r = 0; r < prompts.size(); r++) {
            long[] prompt = prompts.get(r);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + r + " is empty; a prompt needs at least one token");
            }
            for (long id : prompt) {
                if (id < 0) {
                    throw new IllegalArgumentException("prompt " + r + " has the negative token id " + id);
                }
            }
            columns = Math.max(columns, prompt.length);
        }
        int rows = prompts.size();
        long[][] ids = new long[rows][columns];
        long[][] mask = new long[rows][columns];
        long[][] positions = new long[rows][columns];
        int[] lengths = new int[rows];
        for (int r = 0; r < rows; r++) {
            long[] prompt = prompts.get(r);
            int pad = columns - prompt.length;
            lengths[r] = prompt.length;
            Arrays.fill(ids[r], 0, pad, padToken);
            System.arraycopy(prompt, 0, ids[r], pad, prompt.length);
            Arrays.fill(positions[r], 0, pad, 1);
            Arrays.fill(mask[r], pad, columns, 1);
            for (int c = pad; c < columns; c++) {
                positions[r][c] = c - pad;
            }
        }
        return new Batch(ids, mask, positions, lengths);
    }

    int rows() {
        return ids.length;
    }

    int columns() {
        return ids[0].length;
    }

    boolean sameLengths() {
        return Arrays.stream(promptLengths).allMatch(l -> l == promptLengths[0]);
    }

    /** The prompt lengths as the next positions to give. */
    long[] lengths() {
        return Arrays.stream(promptLengths).asLongStream().toArray();
    }
}
