package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code inspect} says of a site that a patch without {@code sinkfix.*} metadata rewrote: the
 * layer, the site, and the tensor its reader reads now.
 */
public final class RewrittenSites {
    private RewrittenSites() {
    }

    /** @param original the site's tensor; @param now what its reader reads instead */
    public record Rewrite(int layer, MlpSite site, String original, String now) {
        public String describe() {
            return "layer " + layer + " " + site.cliName() + " site " + original + ": rewritten by nodes not in a "
                    + "standard MLP (its reader reads " + now + "; no sinkfix metadata records the patch)";
        }
    }

    /** Why patching or tapping the layer of {@code r} is refused: the rewrite is unknown, so a patch would stack on it. */
    public static String refusal(Rewrite r) {
        return "layer " + r.layer() + "'s MLP is not a standard one: its " + r.site().cliName() + " site " + r.original()
                + " is rewritten by nodes not in a standard MLP (its reader reads " + r.now() + ", computed from it by "
                + "other nodes: another tool's patch, or computation this tool does not know), so patching or tapping "
                + "it could act on the wrong tensor; patch the original export instead";
    }

    public static List<Rewrite> of(Model model, Decoder decoder) {
        PatchedSites sites = PatchedSites.of(model);
        List<Rewrite> found = new ArrayList<>();
        for (DecoderLayer layer : decoder.layers()) {
            if (!layer.recognized()) {
                continue; // inspect says why; it has no sites to name
            }
            for (MlpSite site : MlpSite.values()) {
                Value v = layer.site(site);
                if (v != null && sites.foreign().contains(v)) {
                    found.add(new Rewrite(layer.index(), site, v.name(), sites.current(v).name()));
                }
            }
        }
        return found;
    }
}
