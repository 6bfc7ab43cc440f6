package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Value;

/**
 * One decoder layer as the matcher found it. {@code index} is the layer's place along the
 * residual stream; {@code nameHint} is what the exporter's names say, when they say anything.
 * A layer whose MLP could not be read keeps its index: {@code mlp} is then null and
 * {@code whyUnrecognized} says which check failed; asking it for a site is refused with that reason.
 */
public record DecoderLayer(int index, String nameHint, GatedMlp mlp, AttentionBlock attention,
                           Value attentionOutput, Value mlpOutput, TensorSlot residualAfter,
                           String whyUnrecognized) {

    public boolean recognized() {
        return mlp != null;
    }

    public Value site(MlpSite site) {
        return requireMlp().site(site);
    }

    /** The layer's MLP, or a refusal that says why it was not recognised. */
    public GatedMlp requireMlp() {
        if (mlp == null) {
            throw new BadInputException("layer " + index + "'s MLP was not recognised, so it cannot be patched or "
                    + "tapped: " + whyUnrecognized);
        }
        return mlp;
    }
}
