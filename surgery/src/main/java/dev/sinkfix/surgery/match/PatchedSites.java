package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.record.SinkfixKeys;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The MLP sites that a recorded sink patch replaced. The matcher looks through them, so a patched
 * model still shows its layers (and a second patch of a layer is refused by name, not by a
 * confusing "no MLP here"). The pairs come from the patch records the tool wrote itself, and, for a
 * patch without them, from {@link ForeignRewrites}.
 */
final class PatchedSites {
    private final Map<Value, Value> originalOf = new IdentityHashMap<>();
    private final Map<Value, Value> patchedOf = new IdentityHashMap<>();
    private final Set<Value> foreign = Collections.newSetFromMap(new IdentityHashMap<>());

    /** No recorded patch: every value is its own original. */
    static PatchedSites none() {
        return new PatchedSites();
    }

    static PatchedSites of(Model model) {
        return of(model, model.graph().topologicalOrder(), new Constants());
    }

    /** The same, reusing a matcher's topological order of the main graph and its constants. */
    static PatchedSites of(Model model, List<Node> mainGraphOrder, Constants constants) {
        PatchedSites sites = new PatchedSites();
        Graph g = model.graph();
        for (Map<String, String> fields : SinkfixKeys.of(model.metadata()).byLayer().values()) {
            sites.add(g, fields.get("site_tensor"), fields.get("patched_tensor"));
            sites.add(g, fields.get(SinkfixKeys.OTHER_BRANCH_SITE), fields.get(SinkfixKeys.OTHER_BRANCH_PATCHED));
        }
        // Metadata is the best evidence; where there is none, a rewrite is recognised by structure.
        ForeignRewrites.find(mainGraphOrder, constants).forEach((patched, site) -> {
            if (!sites.patchedOf.containsKey(site) && !sites.originalOf.containsKey(patched)) {
                sites.originalOf.put(patched, site);
                sites.patchedOf.put(site, patched);
                sites.foreign.add(site);
            }
        });
        return sites;
    }

    /** Values of any graph of the model (a merged decoder's live in the branches of its If). */
    private void add(Graph g, String siteName, String patchedName) {
        Value site = siteName == null ? null : find(g, siteName);
        Value patched = patchedName == null ? null : find(g, patchedName);
        if (site != null && patched != null && site != patched) {
            originalOf.put(patched, site);
            patchedOf.put(site, patched);
        }
    }

    private static Value find(Graph g, String name) {
        Value v = g.value(name);
        if (v != null) {
            return v;
        }
        for (var n : g.allNodes()) {
            for (Value out : n.outputs()) {
                if (out != null && out.name().equals(name)) {
                    return out;
                }
            }
        }
        return null;
    }

    /** Sites rewritten by nodes no sinkfix record describes. */
    Set<Value> foreign() {
        return Collections.unmodifiableSet(foreign);
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
