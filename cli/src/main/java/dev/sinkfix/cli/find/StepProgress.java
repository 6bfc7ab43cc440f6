package dev.sinkfix.cli.find;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * One line on stderr that says which step a long command is at, rewritten in place, drawn only
 * when a person is watching a terminal (like TerminalProgress); a pipe or a log gets nothing.
 */
public final class StepProgress implements Consumer<String>, AutoCloseable {
    private final PrintStream err;
    private final long start = System.nanoTime();
    private int width;

    private StepProgress(PrintStream err) {
        this.err = err;
    }

    /** The line on a terminal, a no-op otherwise. */
    public static StepProgress forThisProcess() {
        return new StepProgress(System.console() != null ? System.err : null);
    }

    @Override
    public void accept(String step) {
        if (err == null) {
            return;
        }
        String line = String.format("find: %s (%.1f s)", step, (System.nanoTime() - start) / 1e9);
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
        err.flush();
    }

    /** Clears the line so the report starts on a clean one. */
    @Override
    public void close() {
        if (err != null && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
        }
    }
}
