package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.cli.run.PrefillProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class PrefillProgressTest {
    @Test
    void aLongPrefillShowsElapsedSecondsThenErasesTheLine() throws Exception {
        StringWriter err = new StringWriter();
        try (PrefillProgress progress = new PrefillProgress(new PrintWriter(err), 20)) {
            progress.prefillStarted(1, 4001);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!progress.shown() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(progress.shown(), "the line appears after the delay");
            progress.prefillFinished(1);
            assertFalse(progress.shown());
        }
        assertTrue(err.toString().startsWith("\rprefill of 4001 tokens: "), err.toString());
        assertTrue(err.toString().endsWith("\r\u001B[2K"), "erased at the end: " + err);
    }

    @Test
    void aShortPrefillShowsNothing() {
        StringWriter err = new StringWriter();
        try (PrefillProgress progress = new PrefillProgress(new PrintWriter(err), 60_000)) {
            progress.prefillStarted(2, 10);
            progress.prefillFinished(1);
        }
        assertEquals("", err.toString());
    }
}
