package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.match.MlpSite;

/** The tap outputs {@code find} reads. */
final class Names {
    private Names() {
    }

    static String resid(int layer) {
        return "tap.resid_norm." + layer;
    }

    static String mlp(int layer) {
        return "tap.mlp_norm." + layer;
    }

    static String site(int layer, MlpSite site) {
        return "tap.site." + layer + "." + site.cliName();
    }
}
