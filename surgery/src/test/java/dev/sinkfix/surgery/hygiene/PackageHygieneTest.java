package dev.sinkfix.surgery.hygiene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.match.DecoderMatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rooms of {@code surgery} stay apart: no cycle between its packages (the matcher must not
 * need the rewrites that use it), and the matcher touches no protobuf type at all: it reads the
 * IR's {@code Model}, never the generated classes. Read from the compiled classes, where every
 * type a class uses is named in its constant pool (what jdeps reads too).
 */
class PackageHygieneTest {
    private static final Pattern SURGERY_PACKAGE = Pattern.compile("dev/sinkfix/surgery/([a-z]+)/");

    @Test
    void surgeryPackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = packageUses();
        assertTrue(uses.containsKey("match") && uses.containsKey("rewrite"), uses.toString());
        assertTrue(uses.get("rewrite").contains("match"), "the rewrites build on the matcher: " + uses);
        for (String start : uses.keySet()) {
            List<String> cycle = cycleFrom(start, start, uses, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertEquals(List.of(), cycle, "package cycle in surgery: " + String.join(" -> ", cycle));
        }
    }

    @Test
    void theMatcherUsesNoProtobufType() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path c : classesOf("match")) {
            String text = new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1);
            if (text.contains("dev/sinkfix/onnx/") || text.contains("com/google/protobuf/")) {
                offenders.add(c.getFileName().toString());
            }
        }
        assertEquals(List.of(), offenders, "match classes that name protobuf types");
    }

    private static List<String> cycleFrom(String target, String at, Map<String, Set<String>> uses, List<String> path,
                                          Set<String> seen) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(target)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(next);
                return cycle;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(target, next, uses, path, seen);
                if (!found.isEmpty()) {
                    return found;
                }
                path.remove(path.size() - 1);
            }
        }
        return List.of();
    }

    private static Map<String, Set<String>> packageUses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(root())) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String pkg = dir.getFileName().toString();
                Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (Path c : classesOf(pkg)) {
                    Matcher m = SURGERY_PACKAGE.matcher(new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1));
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            used.add(m.group(1));
                        }
                    }
                }
            }
        }
        return uses;
    }

    private static List<Path> classesOf(String pkg) throws IOException {
        try (Stream<Path> files = Files.walk(root().resolve(pkg))) {
            return files.filter(f -> f.toString().endsWith(".class")).toList();
        }
    }

    /** {@code target/classes/dev/sinkfix/surgery}, where the main classes were compiled. */
    private static Path root() {
        try {
            Path classes = Path.of(DecoderMatcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.resolve("dev/sinkfix/surgery");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
