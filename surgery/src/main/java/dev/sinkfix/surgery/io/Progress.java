package dev.sinkfix.surgery.io;

/** Told how a long copy advances; the command line draws a bar on a terminal, tests ignore it. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (label, done, total) -> { };

    void update(String label, long done, long total);
}
