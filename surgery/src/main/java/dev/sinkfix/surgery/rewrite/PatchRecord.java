package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.MlpSite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sink patch as recorded in the model's {@code metadata_props}, one group of keys per layer:
 * {@code sinkfix.layer.{L}.neurons|site|capture_position|tool_version|site_tensor|patched_tensor}.
 * {@code inspect} shows these, a second patch of the same layer is refused by reading them, and
 * the matcher reads the two tensor names to see the original MLP through the patch.
 */
public record PatchRecord(int layer, List<Integer> neurons, MlpSite site, int capturePosition, String toolVersion,
                          String siteTensor, String patchedTensor) {
    public static final String PREFIX = "sinkfix.";
    private static final Pattern KEY = Pattern.compile("sinkfix\\.layer\\.(\\d+)\\.([a-z_]+)");

    /** The patches recorded in a model, by layer; keys that do not parse are left to {@link #unreadKeys}. */
    public static List<PatchRecord> readAll(Model model) {
        Map<Integer, Map<String, String>> byLayer = new TreeMap<>();
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (m.matches()) {
                byLayer.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new TreeMap<>()).put(m.group(2), e.getValue());
            }
        }
        List<PatchRecord> records = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, String>> e : byLayer.entrySet()) {
            PatchRecord r = parse(e.getKey(), e.getValue());
            if (r != null) {
                records.add(r);
            }
        }
        return records;
    }

    /** sinkfix.* keys that are not part of a readable patch record (shown raw by inspect). */
    public static Map<String, String> unreadKeys(Model model) {
        Map<String, String> unread = new TreeMap<>();
        List<PatchRecord> records = readAll(model);
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            boolean read = m.matches() && records.stream().anyMatch(r -> r.layer == Integer.parseInt(m.group(1)));
            if (e.getKey().startsWith(PREFIX) && !read) {
                unread.put(e.getKey(), e.getValue());
            }
        }
        return unread;
    }

    /** Adds this record's keys to the model's metadata. */
    public void writeTo(Model model) {
        String base = PREFIX + "layer." + layer + ".";
        model.metadata().put(base + "neurons", neurons.stream().map(String::valueOf)
                .reduce((a, b) -> a + "," + b).orElse(""));
        model.metadata().put(base + "site", site.cliName());
        model.metadata().put(base + "capture_position", Integer.toString(capturePosition));
        model.metadata().put(base + "tool_version", toolVersion);
        if (siteTensor != null) {
            model.metadata().put(base + "site_tensor", siteTensor);
        }
        if (patchedTensor != null) {
            model.metadata().put(base + "patched_tensor", patchedTensor);
        }
    }

    private static PatchRecord parse(int layer, Map<String, String> keys) {
        try {
            List<Integer> neurons = Arrays.stream(keys.getOrDefault("neurons", "").split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
            MlpSite site = MlpSite.valueOf(keys.getOrDefault("site", "up").toUpperCase(Locale.ROOT));
            int capture = Integer.parseInt(keys.getOrDefault("capture_position", "1"));
            return new PatchRecord(layer, neurons, site, capture, keys.getOrDefault("tool_version", "unknown"),
                    keys.get("site_tensor"), keys.get("patched_tensor"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
