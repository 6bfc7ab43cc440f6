package dev.sinkfix.validator;

import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.surgery.match.PositionSource;

/**
 * The absolute position of every token of one call and whether it is real, worked out as
 * PATCH-SEMANTICS.md ("Positions") says a patched graph must: from {@code position_ids}, else
 * from {@code cumsum(attention_mask) - 1}, else from the past length. A slot whose mask is 0 is
 * padding whatever its position id says.
 *
 * @param positions {@code [batch, seq]}
 * @param real      {@code [batch, seq]}, false for padding
 */
public record TokenPositions(long[][] positions, boolean[][] real) {

    public TokenPositions {
        if (positions.length != real.length) {
            throw new IllegalArgumentException(positions.length + " rows of positions, " + real.length + " of flags");
        }
    }

    /** Positions of {@code call}'s tokens as a graph that reads them from {@code source} sees them. */
    public static TokenPositions of(PositionSource source, StepInputs call, boolean hasMask) {
        int batch = call.batch();
        int seq = call.length();
        int past = call.pastLength();
        long[][] mask = call.attentionMask();
        long[][] ids = call.positionIds();
        long[][] positions = new long[batch][seq];
        boolean[][] real = new boolean[batch][seq];
        for (int b = 0; b < batch; b++) {
            long count = 0;
            for (int t = 0; t < past; t++) {
                count += mask[b][t];
            }
            for (int t = 0; t < seq; t++) {
                count += mask[b][past + t];
                real[b][t] = !hasMask || mask[b][past + t] != 0;
                positions[b][t] = switch (source) {
                    case POSITION_IDS -> ids[b][t];
                    case ATTENTION_MASK -> count - 1;
                    // Without positions, mask or cache every call is a whole sequence from position 0.
                    case PAST_LENGTH, NONE -> past + t;
                };
            }
        }
        return new TokenPositions(positions, real);
    }

    public int batch() {
        return positions.length;
    }

    public int length() {
        return positions.length == 0 ? 0 : positions[0].length;
    }

    public long position(int b, int t) {
        return positions[b][t];
    }

    public boolean isReal(int b, int t) {
        return real[b][t];
    }

    /** A real token at the capture position: where the state is taken. */
    public boolean isCapture(int b, int t, int capturePosition) {
        return real[b][t] && positions[b][t] == capturePosition;
    }

    /** A real token after the capture position: where the chosen neurons are pinned. */
    public boolean isOverridden(int b, int t, int capturePosition) {
        return real[b][t] && positions[b][t] > capturePosition;
    }

    /**
     * Whether column {@code t} of row {@code b} cannot see a pinned value: attention is causal by
     * column, so its output is the original model's when no real token after the capture position
     * sits at or before it, in this call or in the cache (the cache holds the positions below this
     * call's first real one).
     */
    public boolean isUpstreamOfPatch(int b, int t, int capturePosition) {
        long first = Long.MAX_VALUE;
        for (int u = 0; u < length(); u++) {
            if (real[b][u]) {
                first = Math.min(first, positions[b][u]);
            }
        }
        if (first == Long.MAX_VALUE || first - 1 > capturePosition) {
            return false;
        }
        for (int u = 0; u <= t; u++) {
            if (isOverridden(b, u, capturePosition)) {
                return false;
            }
        }
        return true;
    }

    /** How a message names a slot: {@code position 3} or {@code padding (position id 1)}. */
    public String describe(int b, int t) {
        return real[b][t] ? "position " + positions[b][t] : "padding (position id " + positions[b][t] + ")";
    }
}
