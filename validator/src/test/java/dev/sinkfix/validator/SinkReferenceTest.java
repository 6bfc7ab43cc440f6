package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.ir.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference on hand-made sites whose every value says where it came from: 100*row + 10*column + neuron. */
class SinkReferenceTest {
    private static final List<Integer> NEURONS = List.of(4, 1);

    private static SiteTensor site(int batch, int seq, int width) {
        float[] v = new float[batch * seq * width];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < width; i++) {
                    v[(b * seq + t) * width + i] = 100 * b + 10 * t + i;
                }
            }
        }
        return new SiteTensor(DataType.FLOAT, batch, seq, width, v);
    }

    private static TokenPositions positions(long[][] p, boolean[][] real) {
        return new TokenPositions(p, real);
    }

    @Test
    void prefillCapturesPositionOneAndPinsEveryLaterToken() {
        SiteTensor a = site(1, 4, 5);
        SinkReference.Outcome o = SinkReference.apply(a, positions(new long[][] {{0, 1, 2, 3}},
                new boolean[][] {{true, true, true, true}}), new float[1][2], NEURONS, 1);
        assertArrayEquals(new float[] {14, 11}, o.presentState()[0], "neurons 4 and 1 at position 1, in the order given");
        assertArrayEquals(new int[] {1}, o.captureColumns());
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 5; i++) {
                float expected = t > 1 && i == 4 ? 14 : t > 1 && i == 1 ? 11 : 10 * t + i;
                assertEquals(expected, o.patched().get(0, t, i), "column " + t + " neuron " + i);
            }
        }
    }

    @Test
    void leftPaddingIsNeverCapturedNorPinnedAndRowsKeepTheirOwnState() {
        SiteTensor a = site(2, 4, 5);
        // Row 1: two padded slots with Hugging Face's position id 1, then positions 0 and 1.
        long[][] p = {{0, 1, 2, 3}, {1, 1, 0, 1}};
        boolean[][] real = {{true, true, true, true}, {false, false, true, true}};
        SinkReference.Outcome o = SinkReference.apply(a, positions(p, real), new float[2][2], NEURONS, 1);
        assertArrayEquals(new float[] {14, 11}, o.presentState()[0]);
        assertArrayEquals(new float[] {134, 131}, o.presentState()[1], "row 1's own token at position 1, column 3");
        assertArrayEquals(new int[] {1, 3}, o.captureColumns());
        float[] expectedRow1 = a.values();
        float[] actual = o.patched().values();
        for (int i = 20; i < 40; i++) {
            assertEquals(expectedRow1[i], actual[i], "row 1 has nothing after its capture position");
        }
    }

    @Test
    void aDecodeStepWithoutTheCapturePositionTakesThePastState() {
        SiteTensor a = site(1, 1, 5);
        float[][] past = {{-7, -8}};
        SinkReference.Outcome o = SinkReference.apply(a, positions(new long[][] {{6}}, new boolean[][] {{true}}),
                past, NEURONS, 1);
        assertArrayEquals(past[0], o.presentState()[0]);
        assertEquals(-7, o.patched().get(0, 0, 4));
        assertEquals(-8, o.patched().get(0, 0, 1));
        assertEquals(2, o.patched().get(0, 0, 2));
        assertArrayEquals(new int[] {-1}, o.captureColumns());
    }

    @Test
    void aCallBeforeTheCapturePositionChangesNothingAndKeepsThePast() {
        SiteTensor a = site(1, 1, 5);
        SinkReference.Outcome o = SinkReference.apply(a, positions(new long[][] {{0}}, new boolean[][] {{true}}),
                new float[1][2], NEURONS, 1);
        assertArrayEquals(new float[2], o.presentState()[0], "a one-token prompt: nothing captured yet");
        assertEquals(a, o.patched());
    }

    @Test
    void captureAtTwoLeavesPositionOneAlone() {
        SiteTensor a = site(1, 4, 5);
        SinkReference.Outcome o = SinkReference.apply(a, positions(new long[][] {{0, 1, 2, 3}},
                new boolean[][] {{true, true, true, true}}), new float[1][2], NEURONS, 2);
        assertArrayEquals(new float[] {24, 21}, o.presentState()[0]);
        assertEquals(14, o.patched().get(0, 1, 4));
        assertEquals(24, o.patched().get(0, 3, 4));
    }

    @Test
    void aFlatSiteReadsAsBatchSeqWidth() {
        HostTensor flat = new HostTensor(DataType.FLOAT16, new long[] {4, 5}, site(2, 2, 5).values());
        SiteTensor s = SiteTensor.of(flat, 2, 2);
        assertEquals(113, s.get(1, 1, 3));
        assertEquals(DataType.FLOAT16, s.dtype());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SiteTensor.of(flat, 1, 2));
        assertTrue(e.getMessage().contains("[batch, seq, width] or [batch*seq, width]"), e.getMessage());
    }

    @Test
    void twoRealTokensAtTheCapturePositionAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SinkReference.apply(site(1, 3, 5),
                positions(new long[][] {{1, 1, 2}}, new boolean[][] {{true, true, true}}), new float[1][2], NEURONS, 1));
        assertTrue(e.getMessage().contains("row 0 has two real tokens at the capture position 1 (columns 0 and 1)"),
                e.getMessage());
    }
}
