package dev.sinkfix.validator.clamp;

import java.util.ArrayList;
import java.util.List;

/**
 * One of clamp mode's invariants over every prompt: values compared, values that broke it, the
 * first few with the prompt, position, neuron and both values.
 */
public final class ClampCheck {
    private static final int KEPT = 5;
    private final String id;
    private final String name;
    private long compared;
    private long failures;
    private final List<String> first = new ArrayList<>();

    ClampCheck(String id, String name) {
        this.id = id;
        this.name = name;
    }

    void pass() {
        compared++;
    }

    void fail(String where) {
        compared++;
        failures++;
        if (first.size() < KEPT) {
            first.add(where);
        }
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public long compared() {
        return compared;
    }

    public long failures() {
        return failures;
    }

    public List<String> firstFailures() {
        return List.copyOf(first);
    }

    /** Passed when something was compared and nothing failed. */
    public boolean passed() {
        return compared > 0 && failures == 0;
    }
}
