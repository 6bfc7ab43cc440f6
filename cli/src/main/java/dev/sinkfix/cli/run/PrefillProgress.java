package dev.sinkfix.cli.run;

import dev.sinkfix.runtime.generate.GenerationListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On a terminal, a line on stderr that counts the seconds of a prefill that takes a while (a
 * prompt of thousands of repeated tokens on a CPU), rewritten in place and erased when the prefill
 * ends. One prefill is a single ONNX Runtime call, so elapsed time is all there is to show.
 */
public final class PrefillProgress implements GenerationListener, AutoCloseable {
    private final PrintWriter err;
    private final long delayMillis;
    private final ScheduledExecutorService timer;
    private ScheduledFuture<?> ticking;
    private volatile boolean shown;
    private long start;

    /** @param delayMillis how long a prefill runs before the line appears */
    public PrefillProgress(PrintWriter err, long delayMillis) {
        this.err = err;
        this.delayMillis = delayMillis;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "prefill-progress");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public synchronized void prefillStarted(int rows, int tokens) {
        start = System.nanoTime();
        String what = rows == 1 ? tokens + " tokens" : rows + " x " + tokens + " tokens";
        ticking = timer.scheduleAtFixedRate(() -> tick(what), delayMillis, 250, TimeUnit.MILLISECONDS);
    }

    private synchronized void tick(String what) {
        double seconds = (System.nanoTime() - start) / 1e9;
        err.printf(Locale.ROOT, "\rprefill of %s: %.1f s", what, seconds);
        err.flush();
        shown = true;
    }

    @Override
    public void prefillFinished(long nanos) {
        stop();
    }

    private void stop() {
        ScheduledFuture<?> task;
        synchronized (this) {
            task = ticking;
            ticking = null;
        }
        if (task != null) {
            task.cancel(false);
        }
        synchronized (this) {
            if (shown) {
                err.print("\r\u001B[2K");
                err.flush();
                shown = false;
            }
        }
    }

    /** Whether the line is on the screen now. */
    public boolean shown() {
        return shown;
    }

    @Override
    public void close() {
        stop();
        timer.shutdownNow();
    }
}
