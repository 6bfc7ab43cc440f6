package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.rewrite.Preset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The poster's presets whose shape the model has (MLP width, and a layer of that index), and
 * whether {@code find}'s answer is the preset's. Width alone does not tell Llama-1 from Llama-2 or
 * Mistral from Llama-3, so a preset that fits is a comparison, not an identification.
 */
final class PresetAgreement {
    private PresetAgreement() {
    }

    static List<PresetCheck> check(Decoder decoder, SinkAnswer answer) {
        List<PresetCheck> checks = new ArrayList<>();
        for (Preset p : Preset.values()) {
            boolean fits = decoder.intermediateSize() == p.intermediateSize() && decoder.layers().size() > p.layer();
            if (!fits) {
                continue;
            }
            boolean agrees = answer != null && answer.layer() == p.layer()
                    && new HashSet<>(answer.neurons()).equals(new HashSet<>(p.neurons()));
            String note = answer == null ? "find names no sink; the preset says layer " + p.layer() + " neurons "
                    + p.neurons()
                    : agrees ? "find names the preset's layer and neurons"
                    : "find names layer " + answer.layer() + " neurons " + answer.neurons() + "; the preset says layer "
                    + p.layer() + " neurons " + p.neurons();
            checks.add(new PresetCheck(p.id(), p.layer(), p.neurons(), true, agrees,
                    "MLP width " + p.intermediateSize() + " and layer count fit; " + note));
        }
        return checks;
    }
}
