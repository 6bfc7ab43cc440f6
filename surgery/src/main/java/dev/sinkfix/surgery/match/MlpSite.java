package dev.sinkfix.surgery.match;

import java.util.Locale;

/** The MLP activations the sink patch can pin (PATCH-SEMANTICS.md): {@code down(act(gate(x)) * up(x))}. */
public enum MlpSite {
    /** Output of up_proj: where the poster's code hooks. */
    UP,
    /** Output of gate_proj before the activation: the authors' notebook. */
    GATE,
    /** act(gate) * up, the input of down_proj. */
    ACT;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
