package dev.sinkfix.runtime.generate;

import java.util.Arrays;

/**
 * The token inputs of one decoder call, as Hugging Face shapes them.
 *
 * @param inputIds      {@code [batch, seq]} this call's tokens
 * @param attentionMask {@code [batch, past + seq]}: 1 for a real token, 0 for padding, over the
 *                      whole sequence so far
 * @param positionIds   {@code [batch, seq]} absolute positions of this call's tokens
 */
public record StepInputs(long[][] inputIds, long[][] attentionMask, long[][] positionIds) {

    public StepInputs {
        int batch = inputIds.length;
        int seq = batch == 0 ? 0 : inputIds[0].length;
        if (attentionMask.length != batch || positionIds.length != batch) {
            throw new IllegalArgumentException("input_ids has " + batch + " rows, attention_mask "
                    + attentionMask.length + ", position_ids " + positionIds.length);
        }
        for (int b = 0; b < batch; b++) {
            if (inputIds[b].length != seq || positionIds[b].length != seq) {
                throw new IllegalArgumentException("row " + b + " of input_ids or position_ids is not " + seq + " long");
            }
            if (attentionMask[b].length != attentionMask[0].length || attentionMask[b].length < seq) {
                throw new IllegalArgumentException("row " + b + " of attention_mask has " + attentionMask[b].length
                        + " columns; expected " + attentionMask[0].length + " (past + seq, at least " + seq + ")");
            }
        }
        inputIds = deepCopy(inputIds);
        attentionMask = deepCopy(attentionMask);
        positionIds = deepCopy(positionIds);
    }

    public int batch() {
        return inputIds.length;
    }

    /** Tokens in this call. */
    public int length() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** Tokens before this call, as the mask counts them. */
    public int pastLength() {
        return attentionMask.length == 0 ? 0 : attentionMask[0].length - length();
    }

    /** 1 where row {@code b}'s token at column {@code t} of this call is real. */
    public boolean isReal(int b, int t) {
        return attentionMask[b][pastLength() + t] != 0;
    }

    @Override
    public long[][] inputIds() {
        return deepCopy(inputIds);
    }

    @Override
    public long[][] attentionMask() {
        return deepCopy(attentionMask);
    }

    @Override
    public long[][] positionIds() {
        return deepCopy(positionIds);
    }

    static long[] flatten(long[][] rows) {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * columns];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * columns, columns);
        }
        return flat;
    }

    private static long[][] deepCopy(long[][] rows) {
        long[][] copy = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            copy[i] = rows[i].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StepInputs o && Arrays.deepEquals(inputIds, o.inputIds)
                && Arrays.deepEquals(attentionMask, o.attentionMask) && Arrays.deepEquals(positionIds, o.positionIds);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {inputIds, attentionMask, positionIds});
    }

    @Override
    public String toString() {
        return "StepInputs[batch " + batch() + ", past " + pastLength() + ", seq " + length() + "]";
    }
}
