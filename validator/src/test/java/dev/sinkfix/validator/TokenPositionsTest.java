package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.surgery.match.PositionSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches, calls and positions as Hugging Face and PATCH-SEMANTICS.md ("Positions") define them. */
class TokenPositionsTest {
    private final PaddedBatch batch = PaddedBatch.leftPadded(2, new long[] {1, 5, 6, 7, 8}, new long[] {1, 9, 10});

    @Test
    void leftPaddingGetsMaskZeroAndPositionIdOne() {
        assertEquals(2, batch.padding(1));
        assertEquals(0, batch.padding(0));
        assertArrayEquals(new long[][] {{0, 1, 2, 3, 4}, {1, 1, 0, 1, 2}}, batch.positionIds());
        StepInputs all = batch.columns(0, 5);
        assertArrayEquals(new long[][] {{1, 5, 6, 7, 8}, {2, 2, 1, 9, 10}}, all.inputIds());
        assertArrayEquals(new long[][] {{1, 1, 1, 1, 1}, {0, 0, 1, 1, 1}}, all.attentionMask());
    }

    @Test
    void aLaterCallCarriesTheWholeMaskAndItsOwnPositions() {
        StepInputs call = batch.columns(3, 5);
        assertEquals(3, call.pastLength());
        assertEquals(2, call.length());
        assertArrayEquals(new long[][] {{1, 1, 1, 1, 1}, {0, 0, 1, 1, 1}}, call.attentionMask());
        assertArrayEquals(new long[][] {{3, 4}, {1, 2}}, call.positionIds());
        List<StepInputs> steps = batch.prefillThenDecode(3);
        assertEquals(3, steps.size());
        assertEquals(List.of(3, 1, 1), steps.stream().map(StepInputs::length).toList());
        assertThrows(IllegalArgumentException.class, () -> batch.chunks(2, 2));
    }

    @Test
    void everySourceGivesTheSamePositionsForRealTokens() {
        StepInputs call = batch.columns(1, 4);
        TokenPositions ids = TokenPositions.of(PositionSource.POSITION_IDS, call, true);
        TokenPositions mask = TokenPositions.of(PositionSource.ATTENTION_MASK, call, true);
        assertArrayEquals(new long[][] {{1, 2, 3}, {1, 0, 1}}, ids.positions());
        assertArrayEquals(new long[][] {{1, 2, 3}, {-1, 0, 1}}, mask.positions(), "cumsum - 1 over the whole mask");
        assertArrayEquals(new boolean[][] {{true, true, true}, {false, true, true}}, ids.real());
        assertArrayEquals(ids.real(), mask.real());
        assertEquals("padding (position id 1)", ids.describe(1, 0));
        assertEquals("position 0", ids.describe(1, 1));

        StepInputs unpadded = PaddedBatch.of(new long[] {1, 2, 3, 4}).columns(2, 4);
        TokenPositions counted = TokenPositions.of(PositionSource.PAST_LENGTH, unpadded, false);
        assertArrayEquals(new long[][] {{2, 3}}, counted.positions());
        // A model with nothing but input_ids is only ever called on a whole sequence: positions are the columns.
        StepInputs whole = PaddedBatch.of(new long[] {1, 2, 3, 4}).columns(0, 4);
        assertArrayEquals(new long[][] {{0, 1, 2, 3}}, TokenPositions.of(PositionSource.NONE, whole, false).positions());
    }

    @Test
    void captureOverrideAndUpstreamFollowThePositions() {
        TokenPositions where = TokenPositions.of(PositionSource.POSITION_IDS, batch.columns(0, 5), true);
        assertTrue(where.isCapture(0, 1, 1));
        assertFalse(where.isCapture(1, 0, 1), "padding with position id 1 is not captured");
        assertTrue(where.isCapture(1, 3, 1));
        assertFalse(where.isOverridden(1, 1, 1));
        assertTrue(where.isOverridden(1, 4, 1));
        assertTrue(where.isUpstreamOfPatch(0, 1, 1));
        assertFalse(where.isUpstreamOfPatch(0, 2, 1));
        assertTrue(where.isUpstreamOfPatch(1, 3, 1), "padding and positions 0, 1 of the short row");
        assertFalse(where.isUpstreamOfPatch(1, 4, 1));

        TokenPositions decode = TokenPositions.of(PositionSource.POSITION_IDS, batch.columns(2, 3), true);
        assertTrue(decode.isUpstreamOfPatch(1, 0, 1), "the short row's cache holds padding only");
        assertFalse(decode.isUpstreamOfPatch(0, 0, 1), "the long row's cache holds position 1, so position 2 is pinned");
    }
}
