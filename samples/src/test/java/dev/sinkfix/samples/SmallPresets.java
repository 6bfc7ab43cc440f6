package dev.sinkfix.samples;

import java.util.stream.Stream;

/** The presets small enough to run in every test: all but the benchmark-sized ones. */
final class SmallPresets {
    private SmallPresets() {
    }

    static Stream<String> names() {
        return Samples.presetNames().stream().filter(n -> !n.equals("mid"));
    }

    /** A seeded sequence of token ids inside the vocabulary. */
    static long[] tokens(SampleSpec spec, int count, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = 1 + random.nextInt(spec.vocab() - 1);
        }
        return ids;
    }

    static long[] range(long from, long to) {
        long[] r = new long[(int) (to - from)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static long[] ones(int count) {
        long[] r = new long[count];
        java.util.Arrays.fill(r, 1);
        return r;
    }
}
