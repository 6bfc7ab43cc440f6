package dev.sinkfix.validator.clamp;

import dev.sinkfix.validator.PaddedBatch;
import dev.sinkfix.validator.validate.Prompt;
import dev.sinkfix.validator.validate.Prompts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts clamp mode calibrates on: generated ones (BoS, then ids drawn at random, of several
 * lengths: varied text, no long run of one token) and the user's {@code --calibration} file (text
 * lines through tokenizer.json, or lines of comma-separated ids).
 */
public final class CalibrationPrompts {
    /** Generated prompts: count and lengths, enough to see each neuron's spread on a small model in well under a second. */
    public static final int GENERATED = 8;
    private static final int[] LENGTHS = {24, 48, 64, 96};

    private CalibrationPrompts() {
    }

    public static List<PaddedBatch> prompts(long vocab, long bos, Path file, Path model) throws IOException {
        List<PaddedBatch> prompts = new ArrayList<>(generated(vocab, bos, GENERATED, 20261201L));
        if (file != null) {
            for (Prompt p : Prompts.read(file, model, vocab)) {
                prompts.add(p.batch());
            }
        }
        return prompts;
    }

    public static List<PaddedBatch> generated(long vocab, long bos, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long low = Math.min(3, Math.max(vocab - 1, 0));
        List<PaddedBatch> prompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long[] ids = new long[LENGTHS[i % LENGTHS.length]];
            ids[0] = bos;
            for (int t = 1; t < ids.length; t++) {
                ids[t] = low + random.nextLong(Math.max(1, vocab - low));
            }
            prompts.add(PaddedBatch.of(ids));
        }
        return prompts;
    }
}
