package dev.sinkfix.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchTest {
    @Test
    void padsOnTheLeftWithHuggingFacePositions() {
        Batch batch = Batch.leftPadded(List.of(new long[] {5, 6, 7, 8}, new long[] {9, 10}), 2);
        assertArrayEquals(new long[] {5, 6, 7, 8}, batch.ids()[0]);
        assertArrayEquals(new long[] {2, 2, 9, 10}, batch.ids()[1]);
        assertArrayEquals(new long[] {1, 1, 1, 1}, batch.mask()[0]);
        assertArrayEquals(new long[] {0, 0, 1, 1}, batch.mask()[1]);
        assertArrayEquals(new long[] {0, 1, 2, 3}, batch.positions()[0]);
        assertArrayEquals(new long[] {1, 1, 0, 1}, batch.positions()[1], "cumsum(mask) - 1, padding gets 1");
        assertArrayEquals(new long[] {4, 2}, batch.lengths());
        assertEquals(false, batch.sameLengths());
    }

    @Test
    void refusesEmptyPromptsAndNegativeIds() {
        assertEquals("no prompt to generate for",
                assertThrows(IllegalArgumentException.class, () -> Batch.leftPadded(List.of(), 0)).getMessage());
        assertEquals("prompt 1 is empty; a prompt needs at least one token", assertThrows(IllegalArgumentException.class,
                () -> Batch.leftPadded(List.of(new long[] {1}, new long[0]), 0)).getMessage());
        assertEquals("prompt 0 has the negative token id -3", assertThrows(IllegalArgumentException.class,
                () -> Batch.leftPadded(List.of(new long[] {1, -3}), 0)).getMessage());
    }
}
