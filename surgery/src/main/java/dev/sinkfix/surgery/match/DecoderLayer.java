package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Value;

/**
 * One decoder layer as the matcher found it. {@code index} is the layer's place along the
 * residual stream; {@code nameHint} is what the exporter's names say, when they say anything.
 */
public record DecoderLayer(int index, String nameHint, GatedMlp mlp, AttentionBlock attention,
                           Value attentionOutput, Value mlpOutput, TensorSlot residualAfter) {

    public Value site(MlpSite site) {
        return mlp.site(site);
    }
}
