package dev.sinkfix.surgery.match;

/** Where a patched graph can read the absolute position of each token (PATCH-SEMANTICS.md, "Positions"). */
public enum PositionSource {
    /** The {@code position_ids} input. */
    POSITION_IDS,
    /** {@code cumsum(attention_mask) - 1} over the whole mask, last {@code seq} columns. */
    ATTENTION_MASK,
    /** {@code past_length + t}, the past length read from the first KV-cache input's shape. */
    PAST_LENGTH,
    /** None of the above: only a single full-sequence call has known positions. */
    NONE
}
