package dev.sinkfix.runtime.generate;

import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.surgery.BadInputException;
import java.util.Arrays;

/**
 * The shape a model fixes for {@code input_ids}, as optimised dynamo exports do ({@code [2, 1024]}):
 * a prompt is then fed as exactly that many rows (copies of the prompt) of that many columns, the
 * prompt first and the rest filled with its last token. Attention is causal, so what comes after the
 * prompt does not change any score at or before its last token, which is where the answer is read.
 *
 * @param rows    the fixed batch size, or -1
 * @param columns the fixed sequence length, or -1
 */
public record FixedShape(long rows, long columns) {

    public static FixedShape of(IoSpec inputIds) {
        long[] s = inputIds.shape();
        return s.length == 2 ? new FixedShape(s[0], s[1]) : new FixedShape(-1, -1);
    }

    public boolean isFixed() {
        return rows > 0 || columns > 0;
    }

    /** {@code prompt} as the rows of one call: one row (or the fixed count), filled out to the fixed length. */
    public long[][] fit(long[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("an empty prompt");
        }
        if (columns > 0 && prompt.length > columns) {
            throw new BadInputException("the model takes exactly " + columns + " tokens per row (its input_ids is ["
                    + (rows > 0 ? rows : "batch") + ", " + columns + "]); the prompt has " + prompt.length);
        }
        int width = columns > 0 ? (int) columns : prompt.length;
        long[] row = Arrays.copyOf(prompt, width);
        Arrays.fill(row, prompt.length, width, prompt[prompt.length - 1]);
        long[][] out = new long[rows > 0 ? (int) rows : 1][];
        for (int r = 0; r < out.length; r++) {
            out[r] = row.clone();
        }
        return out;
    }

    /** One line for a report: how a prompt of {@code length} tokens was fed. */
    public String describe(int length) {
        return "input_ids: the prompt's " + length + " tokens as " + (rows > 0 ? rows + " identical rows" : "one row")
                + (columns > length ? ", filled out to the model's fixed " + columns + " columns with its last token "
                + "(scores read at token " + length + ")" : "");
    }

    /** A mask of ones for {@code ids}. */
    public static long[][] ones(long[][] ids) {
        long[][] mask = new long[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            mask[r] = new long[ids[r].length];
            Arrays.fill(mask[r], 1);
        }
        return mask;
    }

    /** Positions {@code 0..n-1} in every row of {@code ids}. */
    public static long[][] columns(long[][] ids) {
        long[][] positions = new long[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            positions[r] = new long[ids[r].length];
            Arrays.setAll(positions[r], t -> t);
        }
        return positions;
    }
}
