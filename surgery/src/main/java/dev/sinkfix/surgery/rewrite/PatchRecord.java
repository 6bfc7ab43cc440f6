package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.record.SinkfixKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sink patch as recorded in the model's {@code metadata_props}, one group of keys per layer:
 * {@code sinkfix.layer.{L}.neurons|site|capture_position|tool_version|site_tensor|patched_tensor}.
 * {@code inspect} shows these, a second patch of the same layer is refused by reading them, and
 * the matcher reads the two tensor names to see the original MLP through the patch.
 */
public record PatchRecord(int layer, List<Integer> neurons, MlpSite site, int capturePosition, String toolVersion,
                          String siteTensor, String patchedTensor) {
    public static final String PREFIX = SinkfixKeys.PREFIX;

    /** The patches recorded in a model, by layer; keys that do not parse are left to {@link #unreadKeys}. */
    public static List<PatchRecord> readAll(Model model) {
        List<PatchRecord> records = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, String>> e : SinkfixKeys.of(model.metadata()).byLayer().entrySet()) {
            if (whyUnreadable(e.getValue()) == null) {
                records.add(parse(e.getKey(), e.getValue()));
            }
        }
        return records;
    }

    /** Null when the fields of one layer form a record; otherwise what is wrong, said once for the layer. */
    private static String whyUnreadable(Map<String, String> fields) {
        String why = checkFields(fields);
        if (why != null) {
            return why;
        }
        try {
            parse(0, fields);
            return null;
        } catch (IllegalArgumentException e) {
            // A field the checks above do not know yet: still bad input, never a crash.
            return "expected a readable patch record: " + e.getMessage();
        }
    }

    /** sinkfix.* keys that are not part of a readable patch record (shown raw by inspect). */
    public static Map<String, String> unreadKeys(Model model) {
        Map<String, String> unread = new TreeMap<>();
        problems(model).keySet().forEach(k -> unread.put(k, model.metadata().get(k)));
        return unread;
    }

    /**
     * Why each unreadable {@code sinkfix.layer.*} key cannot be read, by key: metadata is input like
     * any other, so a hostile value is a reason to refuse, never a crash.
     */
    public static Map<String, String> problems(Model model) {
        SinkfixKeys keys = SinkfixKeys.of(model.metadata());
        Map<String, String> problems = new TreeMap<>(keys.problems());
        keys.byLayer().forEach((layer, fields) -> {
            String why = whyUnreadable(fields);
            if (why != null) {
                fields.keySet().forEach(f -> problems.put(SinkfixKeys.key(layer, f), why));
            }
        });
        return problems;
    }

    /**
     * Refuses a model whose sinkfix metadata cannot be read: what the tool did to it before is
     * then unknown, and patching or tapping it could act on the wrong tensor.
     */
    public static void requireReadable(Model model) {
        Map<String, String> problems = problems(model);
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            throw new BadInputException("the model's sinkfix metadata cannot be read: " + first.getKey() + " = '"
                    + shown(model.metadata().get(first.getKey())) + "': " + first.getValue()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more keys)" : "")
                    + "; remove the sinkfix.* keys or start from the original model");
        }
    }

    private static String shown(String value) {
        String v = value == null ? "" : value.replaceAll("\\p{Cntrl}", "?");
        return v.length() > 40 ? v.substring(0, 40) + "..." : v;
    }

    /** The known fields' own checks, with a message that names the field and what was expected. */
    private static String checkFields(Map<String, String> fields) {
        String neurons = fields.getOrDefault("neurons", "");
        if (neurons.length() > 100_000) {
            return "neurons: expected comma-separated neuron ids, got " + neurons.length() + " characters";
        }
        for (String n : neurons.isBlank() ? new String[0] : neurons.split(",", -1)) {
            String t = n.trim();
            if (!t.matches("[0-9]{1,9}")) {
                return "neurons: expected comma-separated neuron ids (0 to 999999999), got '" + shown(t) + "'";
            }
        }
        String site = fields.getOrDefault("site", "up");
        if (Arrays.stream(MlpSite.values()).noneMatch(s -> s.cliName().equals(site))) {
            return "site: expected up, gate or act, got '" + shown(site) + "'";
        }
        String capture = fields.getOrDefault("capture_position", "1");
        if (!capture.matches("[0-9]{1,9}")) {
            return "capture_position: expected a position 0 to 999999999, got '" + shown(capture) + "'";
        }
        return null;
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
        List<Integer> neurons = Arrays.stream(keys.getOrDefault("neurons", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
        MlpSite site = MlpSite.valueOf(keys.getOrDefault("site", "up").toUpperCase(Locale.ROOT));
        int capture = Integer.parseInt(keys.getOrDefault("capture_position", "1"));
        return new PatchRecord(layer, neurons, site, capture, keys.getOrDefault("tool_version", "unknown"),
                keys.get("site_tensor"), keys.get("patched_tensor"));
    }
}
