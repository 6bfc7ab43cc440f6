package dev.sinkfix.surgery.match;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cross-checks the layers identified along the residual stream against the other evidence a
 * graph carries: the {@code layers.N} in the names around each MLP and the layer numbers in
 * the KV-cache inputs' names. A disagreement means a layer index would be a guess, so the model
 * is refused instead of patched at the wrong layer.
 */
final class LayerCrossCheck {
    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    private LayerCrossCheck() {
    }

    static void check(List<DecoderLayer> layers, List<KvCachePair> kv, List<String> notes) {
        int named = 0;
        for (DecoderLayer l : layers) {
            if (l.nameHint() == null) {
                continue;
            }
            named++;
            if (!l.nameHint().equals("layers." + l.index())) {
                throw new NotADecoderException("layer " + l.index() + " along the residual stream has names that say "
                        + l.nameHint() + " (" + l.mlpOutput().name() + "): the layers found and the exporter's names "
                        + "disagree, so a layer index would be a guess", notes);
            }
        }
        notes.add(named == 0 ? "no layers.N in the names around the MLPs: the residual stream alone gives the indices"
                : "names agree with the residual stream on " + named + " of " + layers.size() + " layers");
        if (kv.isEmpty()) {
            notes.add("no KV cache to cross-check");
            return;
        }
        if (kv.size() != layers.size()) {
            throw new NotADecoderException("a KV cache was found for " + kv.size() + " of the " + layers.size()
                    + " layers along the residual stream; expected one pair per layer", notes);
        }
        for (KvCachePair p : kv) {
            Matcher m = NUMBER.matcher(p.pastKey().name());
            if (m.find() && m.group(1).length() < 7 && Integer.parseInt(m.group(1)) != p.layer()) {
                throw new NotADecoderException("layer " + p.layer() + " along the residual stream reads the KV cache "
                        + p.pastKey().name() + ", whose name says layer " + m.group(1) + "; expected them to agree", notes);
            }
        }
        notes.add("KV cache: one pair per layer, in the same order as the residual stream");
    }
}
