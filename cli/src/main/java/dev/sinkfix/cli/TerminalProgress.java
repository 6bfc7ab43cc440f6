package dev.sinkfix.cli;

import dev.sinkfix.surgery.io.Progress;
import java.io.PrintStream;

/**
 * A one-line progress bar on stderr for long copies (a data file that cannot be hard-linked into
 * another folder), drawn only when a person is watching a terminal; a pipe or a log gets nothing.
 */
final class TerminalProgress implements Progress {
    private final PrintStream err;
    private int lastPercent = -1;

    private TerminalProgress(PrintStream err) {
        this.err = err;
    }

    /** The bar on a terminal, {@link Progress#NONE} otherwise. */
    static Progress forThisProcess() {
        return System.console() != null ? new TerminalProgress(System.err) : Progress.NONE;
    }

    @Override
    public void update(String label, long done, long total) {
        int percent = total <= 0 ? 100 : (int) (100 * done / total);
        if (percent == lastPercent) {
            return;
        }
        lastPercent = percent;
        int filled = percent / 5;
        String size = total >= 1e9 ? String.format("%.1f GB", total / 1e9) : String.format("%.1f MB", total / 1e6);
        err.printf("\r%s [%s%s] %3d%% of %s", label, "#".repeat(filled), " ".repeat(20 - filled), percent, size);
        if (done >= total) {
            err.println();
            lastPercent = -1;
        }
        err.flush();
    }
}
