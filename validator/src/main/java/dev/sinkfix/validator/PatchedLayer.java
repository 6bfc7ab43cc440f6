package dev.sinkfix.validator;

import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.util.List;

/**
 * One patched layer as the checks need it: what was asked for and the tensors to read.
 *
 * @param siteTensor    the original activation, in the original model
 * @param patchedTensor what the site's former readers read in the patched model
 * @param stateInput    {@code past_sink_state.{L}}
 * @param stateOutput   {@code present_sink_state.{L}}
 */
public record PatchedLayer(int layer, MlpSite site, List<Integer> neurons, int capturePosition, String siteTensor,
                           String patchedTensor, String stateInput, String stateOutput) {

    public PatchedLayer {
        neurons = List.copyOf(neurons);
    }

    public static PatchedLayer of(SinkSpec spec, SinkPatch.LayerResult result) {
        if (spec.layer() != result.layer() || !spec.neurons().equals(result.neurons())) {
            throw new IllegalArgumentException("the result of layer " + result.layer() + " does not belong to " + spec);
        }
        return new PatchedLayer(spec.layer(), spec.site(), spec.neurons(), spec.capturePosition(), result.site(),
                result.patchedSite(), result.stateInput(), result.stateOutput());
    }

    public boolean isPinned(int neuron) {
        return neurons.contains(neuron);
    }
}
