package dev.sinkfix.surgery.record;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code sinkfix.layer.{L}.{field}} keys of a model's metadata, grouped by layer. Both the
 * matcher (which looks through a recorded patch) and the rewrites (which write and read the
 * records) need them, so they live here, below both. Metadata is untrusted input: a layer index
 * that is not a small number is kept as a problem with its reason, never thrown as a bug.
 */
public final class SinkfixKeys {
    public static final String PREFIX = "sinkfix.";
    /** Far above any real model's depth; a larger index is a hostile or broken key. */
    public static final int MAX_LAYER = 1_000_000;
    /** In a merged decoder, the site and patched tensors of the branch the main record does not name. */
    public static final String OTHER_BRANCH_SITE = "other_branch_site_tensor";
    public static final String OTHER_BRANCH_PATCHED = "other_branch_patched_tensor";
    private static final Pattern KEY = Pattern.compile("sinkfix\\.layer\\.([0-9]{1,12})\\.([a-z_]{1,40})");

    private final Map<Integer, Map<String, String>> byLayer;
    private final Map<String, String> problems;

    private SinkfixKeys(Map<Integer, Map<String, String>> byLayer, Map<String, String> problems) {
        this.byLayer = byLayer;
        this.problems = problems;
    }

    /** Groups the {@code sinkfix.layer.*} keys of {@code metadata} by layer. */
    public static SinkfixKeys of(Map<String, String> metadata) {
        Map<Integer, Map<String, String>> byLayer = new TreeMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX + "layer.")) {
                continue;
            }
            Matcher m = KEY.matcher(key);
            if (!m.matches()) {
                problems.put(key, "expected a key sinkfix.layer.{L}.{field} with L a layer number");
                continue;
            }
            long layer = Long.parseLong(m.group(1));
            if (layer > MAX_LAYER) {
                problems.put(key, "layer " + m.group(1) + " is not a layer index (expected 0 to " + MAX_LAYER + ")");
                continue;
            }
            byLayer.computeIfAbsent((int) layer, k -> new TreeMap<>()).put(m.group(2), e.getValue());
        }
        return new SinkfixKeys(byLayer, problems);
    }

    /** Per layer, its fields and their raw values. */
    public Map<Integer, Map<String, String>> byLayer() {
        return Collections.unmodifiableMap(byLayer);
    }

    /** Keys under {@code sinkfix.layer.} that name no usable layer, with the reason. */
    public Map<String, String> problems() {
        return Collections.unmodifiableMap(problems);
    }

    /** The key of {@code field} for {@code layer}. */
    public static String key(int layer, String field) {
        return PREFIX + "layer." + layer + "." + field;
    }
}
