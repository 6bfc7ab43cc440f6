package dev.sinkfix.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenChooserTest {
    private static final float[] SCORES = {0.5f, 3f, 2.9f, -1f, 3f, 1f};

    @Test
    void greedyTakesTheHighestScoreAndTheLowestIdOnATie() {
        assertEquals(1, new TokenChooser(Sampling.GREEDY).choose(SCORES));
    }

    @Test
    void theSameSeedDrawsTheSameTokens() {
        Sampling sampling = Sampling.seeded(1, 0, 1, 7);
        TokenChooser a = new TokenChooser(sampling);
        TokenChooser b = new TokenChooser(sampling);
        for (int i = 0; i < 50; i++) {
            assertEquals(a.choose(SCORES), b.choose(SCORES));
        }
    }

    @Test
    void topKAndTopPKeepOnlyTheBest() {
        Set<Long> drawn = new HashSet<>();
        TokenChooser topK = new TokenChooser(Sampling.seeded(5, 3, 1, 1));
        for (int i = 0; i < 300; i++) {
            drawn.add(topK.choose(SCORES));
        }
        assertEquals(Set.of(1L, 2L, 4L), drawn, "top-3 of a flat distribution");
        drawn.clear();
        TokenChooser topP = new TokenChooser(Sampling.seeded(1, 0, 0.01, 1));
        for (int i = 0; i < 50; i++) {
            drawn.add(topP.choose(SCORES));
        }
        assertEquals(Set.of(1L), drawn, "a tiny top-p keeps only the first of the best");
        drawn.clear();
        TokenChooser all = new TokenChooser(Sampling.seeded(100, 0, 1, 3));
        for (int i = 0; i < 600; i++) {
            drawn.add(all.choose(SCORES));
        }
        assertTrue(drawn.size() == SCORES.length, "a hot, uncut distribution reaches every token: " + drawn);
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Sampling.seeded(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampling.seeded(1, -2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampling.seeded(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampling.seeded(1, 0, 1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(0));
    }
}
