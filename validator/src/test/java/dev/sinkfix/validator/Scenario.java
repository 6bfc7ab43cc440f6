package dev.sinkfix.validator;

import dev.sinkfix.runtime.generate.StepInputs;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Token sequences that exercise the patch, each with the ways a generation loop may cut it into
 * calls. The first way is always one call over everything; the others are compared against it.
 */
enum Scenario {
    /** BoS and seeded random tokens. */
    RANDOM_PROMPT {
        @Override
        PaddedBatch batch(long vocab) {
            return PaddedBatch.of(prompt(vocab, 12, 101));
        }

        @Override
        List<List<StepInputs>> splits(PaddedBatch batch) {
            return List.of(batch.chunks(12), batch.prefillThenDecode(4), batch.chunks(1, 5, 3, 1, 1, 1));
        }
    },
    /** BoS and one token 30 times: the input that turns repeated tokens into sinks. */
    REPEATED_TOKEN {
        @Override
        PaddedBatch batch(long vocab) {
            long[] row = new long[31];
            Arrays.fill(row, prompt(vocab, 2, 202)[1]);
            row[0] = BOS;
            return PaddedBatch.of(row);
        }

        @Override
        List<List<StepInputs>> splits(PaddedBatch batch) {
            return List.of(batch.chunks(31), batch.prefillThenDecode(3), batch.chunks(1, 10, 20));
        }
    },
    /**
     * Two rows, the short one padded on the left (5 slots with mask 0 and Hugging Face's position
     * id 1), then four decode steps. Prefixes of 12, 7, 3 and 6 columns put the short row's capture
     * in the prefill, at its edge, after a prefill of padding only, and in a later chunk.
     */
    LEFT_PADDED_PAIR {
        @Override
        PaddedBatch batch(long vocab) {
            return PaddedBatch.leftPadded(PAD, prompt(vocab, 16, 303), prompt(vocab, 11, 304));
        }

        @Override
        List<List<StepInputs>> splits(PaddedBatch batch) {
            return List.of(batch.chunks(16), batch.prefillThenDecode(12), batch.prefillThenDecode(7),
                    batch.prefillThenDecode(3), batch.chunks(6, 4, 6));
        }
    },
    /** Two rows of one length and different tokens: each row captures and keeps its own state. */
    TWO_ROWS {
        @Override
        PaddedBatch batch(long vocab) {
            return PaddedBatch.of(prompt(vocab, 10, 505), prompt(vocab, 10, 506));
        }

        @Override
        List<List<StepInputs>> splits(PaddedBatch batch) {
            return List.of(batch.chunks(10), batch.prefillThenDecode(2), batch.chunks(1, 4, 1, 1, 1, 1, 1));
        }
    },
    /** A prompt of BoS alone, then decode steps: the state is captured at the first of them. */
    ONE_TOKEN_PROMPT {
        @Override
        PaddedBatch batch(long vocab) {
            return PaddedBatch.of(prompt(vocab, 9, 404));
        }

        @Override
        List<List<StepInputs>> splits(PaddedBatch batch) {
            return List.of(batch.chunks(9), batch.prefillThenDecode(1));
        }
    };

    /** Llama's BoS and the pad id the real export's tokenizer uses. */
    static final long BOS = 1;
    static final long PAD = 2;

    abstract PaddedBatch batch(long vocab);

    boolean needsPadding() {
        return this == LEFT_PADDED_PAIR;
    }

    abstract List<List<StepInputs>> splits(PaddedBatch batch);

    /** BoS, then seeded tokens that are neither BoS nor padding. */
    static long[] prompt(long vocab, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[length];
        ids[0] = BOS;
        for (int i = 1; i < length; i++) {
            ids[i] = 3 + random.nextLong(vocab - 3);
        }
        return ids;
    }
}
