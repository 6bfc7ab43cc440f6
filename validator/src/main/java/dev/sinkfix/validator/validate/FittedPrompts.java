package dev.sinkfix.validator.validate;

import dev.sinkfix.runtime.generate.FixedShape;
import dev.sinkfix.validator.PaddedBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts reshaped for a model whose {@code input_ids} has a fixed shape: each becomes exactly
 * that many rows and columns ({@link FixedShape#fit}: rows repeated, each filled out with its last
 * token, longer ones cut), run in one call, since such a model takes no other length.
 */
final class FittedPrompts {
    private FittedPrompts() {
    }

    static List<Prompt> fit(List<Prompt> prompts, FixedShape fixed) {
        if (!fixed.isFixed()) {
            return prompts;
        }
        List<Prompt> fitted = new ArrayList<>();
        for (Prompt p : prompts) {
            int rows = fixed.rows() > 0 ? (int) fixed.rows() : p.batch().rows();
            long[][] out = new long[rows][];
            for (int r = 0; r < rows; r++) {
                long[] tokens = p.batch().tokens(r % p.batch().rows());
                if (fixed.columns() > 0 && tokens.length > fixed.columns()) {
                    tokens = java.util.Arrays.copyOf(tokens, (int) fixed.columns());
                }
                out[r] = new FixedShape(-1, fixed.columns()).fit(tokens)[0];
            }
            PaddedBatch batch = PaddedBatch.of(out);
            fitted.add(new Prompt(p.name(), p.user(), batch, batch.columns()));
        }
        return fitted;
    }
}
