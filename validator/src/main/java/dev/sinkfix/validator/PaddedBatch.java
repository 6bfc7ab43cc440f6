package dev.sinkfix.validator;

import dev.sinkfix.runtime.generate.StepInputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whole token sequences of a batch, shorter rows padded on the left as batched generation pads
 * them, cut into the calls a generation loop makes: a prefill, chunks, one-token decode steps.
 * The mask and position ids are Hugging Face's: {@code position_ids = cumsum(mask) - 1}, and a
 * padded slot gets position id 1, which a patch must never mistake for the capture position.
 */
public final class PaddedBatch {
    /** The position id Hugging Face gives padded slots ({@code masked_fill_(mask == 0, 1)}). */
    public static final long PADDING_POSITION_ID = 1;

    private final long[][] ids;
    private final long[][] mask;

    private PaddedBatch(long[][] ids, long[][] mask) {
        this.ids = ids;
        this.mask = mask;
    }

    /** Rows of any lengths, right-aligned behind {@code padId} tokens with mask 0. */
    public static PaddedBatch leftPadded(long padId, long[]... rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        int width = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
        if (width == 0) {
            throw new IllegalArgumentException("every row is empty");
        }
        long[][] ids = new long[rows.length][width];
        long[][] mask = new long[rows.length][width];
        for (int b = 0; b < rows.length; b++) {
            int pad = width - rows[b].length;
            Arrays.fill(ids[b], 0, pad, padId);
            System.arraycopy(rows[b], 0, ids[b], pad, rows[b].length);
            Arrays.fill(mask[b], pad, width, 1);
        }
        return new PaddedBatch(ids, mask);
    }

    /** Rows of one length: no padding. */
    public static PaddedBatch of(long[]... rows) {
        for (long[] r : rows) {
            if (r.length != rows[0].length) {
                throw new IllegalArgumentException("rows differ in length; use leftPadded");
            }
        }
        return leftPadded(0, rows);
    }

    public int rows() {
        return ids.length;
    }

    public int columns() {
        return ids[0].length;
    }

    /** Padded slots at the start of row {@code b}. */
    public int padding(int b) {
        int pad = 0;
        while (pad < columns() && mask[b][pad] == 0) {
            pad++;
        }
        return pad;
    }

    /** The real tokens of row {@code b}, without its padding. */
    public long[] tokens(int b) {
        return Arrays.copyOfRange(ids[b], padding(b), columns());
    }

    /** Hugging Face's position ids over the whole batch, {@code [rows, columns]}. */
    public long[][] positionIds() {
        long[][] positions = new long[rows()][columns()];
        for (int b = 0; b < rows(); b++) {
            long count = 0;
            for (int t = 0; t < columns(); t++) {
                count += mask[b][t];
                positions[b][t] = mask[b][t] == 0 ? PADDING_POSITION_ID : count - 1;
            }
        }
        return positions;
    }

    /** The call that feeds columns {@code [from, to)} after columns {@code [0, from)} went in earlier calls. */
    public StepInputs columns(int from, int to) {
        if (from < 0 || to > columns() || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of a batch " + columns() + " wide");
        }
        long[][] positions = positionIds();
        long[][] callIds = new long[rows()][];
        long[][] callMask = new long[rows()][];
        long[][] callPositions = new long[rows()][];
        for (int b = 0; b < rows(); b++) {
            callIds[b] = Arrays.copyOfRange(ids[b], from, to);
            callMask[b] = Arrays.copyOfRange(mask[b], 0, to);
            callPositions[b] = Arrays.copyOfRange(positions[b], from, to);
        }
        return new StepInputs(callIds, callMask, callPositions);
    }

    /** The whole batch in calls of {@code sizes} columns each; the sizes must add up to the width. */
    public List<StepInputs> chunks(int... sizes) {
        int total = Arrays.stream(sizes).sum();
        if (total != columns()) {
            throw new IllegalArgumentException("chunks " + Arrays.toString(sizes) + " cover " + total
                    + " columns; the batch has " + columns());
        }
        List<StepInputs> calls = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            calls.add(columns(at, at + size));
            at += size;
        }
        return calls;
    }

    /** A prefill of {@code prefix} columns, then one call per remaining column. */
    public List<StepInputs> prefillThenDecode(int prefix) {
        int[] sizes = new int[1 + columns() - prefix];
        sizes[0] = prefix;
        Arrays.fill(sizes, 1, sizes.length, 1);
        return chunks(sizes);
    }
}
