package dev.sinkfix.runtime.generate;

import ai.onnxruntime.OrtException;

/**
 * The token inputs of one call, fed only where the model has them: {@code input_ids} always,
 * {@code attention_mask} and {@code position_ids} when the signature lists them, in the integer
 * type each declares. The one rule {@link Generator} and {@link Stepper} share.
 */
final class TokenFeeds {
    private TokenFeeds() {
    }

    static void put(Feeds feeds, DecoderSignature signature, long[][] ids, long[][] mask, long[][] positions)
            throws OrtException {
        feeds.ints(DecoderSignature.INPUT_IDS, signature.inputIds().dtype(), ids);
        if (signature.attentionMask().isPresent()) {
            feeds.ints(DecoderSignature.ATTENTION_MASK, signature.attentionMask().get().dtype(), mask);
        }
        if (signature.positionIds().isPresent()) {
            feeds.ints(DecoderSignature.POSITION_IDS, signature.positionIds().get().dtype(), positions);
        }
    }
}
