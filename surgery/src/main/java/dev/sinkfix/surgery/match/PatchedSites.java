package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.record.SinkfixKeys;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The MLP sites that a recorded sink patch replaced. The matcher looks through them, so a patched
 * model still shows its layers (and a second patch of a layer is refused by name, not by a
 * confusing "no MLP here"). The pairs come from the patch records the tool wrote itself.
 */
final class PatchedSites {
    private final Map<Value, Value> originalOf = new IdentityHashMap<>();
    private final Map<Value, Value> patchedOf = new IdentityHashMap<>();

    /** No recorded patch: every value is its own original. */
    static PatchedSites none() {
        return new PatchedSites();
    }

    static PatchedSites of(Model model) {
        PatchedSites sites = new PatchedSites();
        Graph g = model.graph();
        for (Map<String, String> fields : SinkfixKeys.of(model.metadata()).byLayer().values()) {
            Value site = fields.get("site_tensor") == null ? null : g.value(fields.get("site_tensor"));
            Value patched = fields.get("patched_tensor") == null ? null : g.value(fields.get("patched_tensor"));
            if (site != null && patched != null && site != patched) {
                sites.originalOf.put(patched, site);
                sites.patchedOf.put(site, patched);
            }
        }
        return sites;
    }

    /** The activation before the patch, for a patched tensor; {@code v} itself otherwise. */
    Value original(Value v) {
        return originalOf.getOrDefault(v, v);
    }

    /** What the model's readers read now: the patched tensor, for a patched site; {@code v} itself otherwise. */
    Value current(Value v) {
        return patchedOf.getOrDefault(v, v);
    }
}
