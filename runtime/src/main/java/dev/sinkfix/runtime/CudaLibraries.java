package dev.sinkfix.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Looks for the shared libraries that onnxruntime_gpu's CUDA provider needs, where the dynamic
 * loader would ({@code LD_LIBRARY_PATH}, {@code /etc/ld.so.cache}, the standard directories), so a
 * failure can name what is missing: ONNX Runtime itself only says "Failed to load shared library".
 * Linux only; elsewhere {@link #probe()} answers "not checked".
 */
public final class CudaLibraries {

    /** A library the CUDA provider loads, and what a user installs to get it. */
    public record Library(String soname, String component) {}

    /** The CUDA major version every onnxruntime_gpu jar up to 1.29 links against. */
    public static final int CUDA_MAJOR = 12;

    /**
     * The NEEDED entries of libonnxruntime_providers_cuda.so in onnxruntime_gpu 1.29.0
     * ({@code readelf -d}), and the driver library that the CUDA runtime opens when it starts.
     * Since 1.29 cuDNN and cuFFT are opened only when an operator needs them, so their absence
     * does not stop the provider from starting.
     */
    public static final List<Library> REQUIRED = List.of(
            new Library("libcudart.so.12", "CUDA 12"),
            new Library("libcublas.so.12", "CUDA 12"),
            new Library("libcublasLt.so.12", "CUDA 12"),
            new Library("libcurand.so.10", "CUDA 12"),
            new Library("libcuda.so.1", "NVIDIA driver"));

    /**
     * What a probe found.
     *
     * @param checked false where the platform is not one this class knows how to search
     * @param missing required libraries found nowhere on the loader's search path
     * @param notes   where missing libraries were seen off the search path, or in other versions
     */
    public record Probe(boolean checked, List<Library> missing, List<String> notes) {
        public Probe {
            missing = List.copyOf(missing);
            notes = List.copyOf(notes);
        }

        public boolean complete() {
            return missing.isEmpty();
        }

        /** One line naming what is missing and what was seen instead; empty when nothing is missing. */
        public String describe() {
            if (missing.isEmpty()) {
                return "";
            }
            if (missing.contains(GPU_JAR)) {
                return "the CUDA provider " + GPU_JAR.soname() + " is " + GPU_JAR.component();
            }
            Map<String, List<String>> byComponent = new LinkedHashMap<>();
            for (Library library : missing) {
                byComponent.computeIfAbsent(library.component(), c -> new ArrayList<>()).add(library.soname());
            }
            String names = byComponent.entrySet().stream()
                    .map(e -> String.join(", ", e.getValue()) + " (" + e.getKey() + ")")
                    .collect(Collectors.joining(" / "));
            StringBuilder line = new StringBuilder(names)
                    .append(missing.size() == 1 ? " needed by onnxruntime_gpu (built for CUDA " + CUDA_MAJOR + ") was"
                            : " needed by onnxruntime_gpu (built for CUDA " + CUDA_MAJOR + ") were")
                    .append(" not found on the library search path (LD_LIBRARY_PATH, ld.so.cache, /usr/lib)");
            for (String note : notes) {
                line.append("; ").append(note);
            }
            return line.toString();
        }
    }

    /** Where to look; the defaults come from the environment, tests pass their own folders. */
    record SearchPath(List<Path> ldLibraryPath, Path cache, List<Path> standardDirs, List<Path> offPathDirs) {}

    private CudaLibraries() {}

    /** The bundled jar's version, from its manifest; "1.29" when the manifest does not say. */
    static String ortVersion() {
        Package p = ai.onnxruntime.OrtEnvironment.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "1.29" : v;
    }

    /**
     * Stands for the CUDA provider itself where the build bundles the CPU-only {@code onnxruntime}
     * jar (macOS, Linux and Windows on ARM: onnxruntime_gpu has no natives there).
     */
    public static final Library GPU_JAR = new Library("libonnxruntime_providers_cuda",
            "absent: this build bundles the CPU-only onnxruntime jar; the onnxruntime_gpu jar is picked on linux-x64"
                    + " and windows-x64");

    /** Whether the bundled ONNX Runtime jar carries a CUDA provider at all. */
    public static boolean gpuJarBundled() {
        ClassLoader loader = CudaLibraries.class.getClassLoader();
        return loader.getResource("ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so") != null
                || loader.getResource("ai/onnxruntime/native/win-x64/onnxruntime_providers_cuda.dll") != null;
    }

    /** Probes this machine. Cheap: reads the loader cache and checks a few dozen paths. */
    public static Probe probe() {
        if (!gpuJarBundled()) {
            return new Probe(true, List.of(GPU_JAR), List.of());
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return new Probe(false, List.of(), List.of());
        }
        return probe(new SearchPath(
                split(System.getenv("LD_LIBRARY_PATH")), Path.of("/etc/ld.so.cache"), standardDirs(), offPathDirs()));
    }

    static Probe probe(SearchPath where) {
        Map<String, Path> cached = readCache(where.cache());
        List<Path> dirs = new ArrayList<>(where.ldLibraryPath());
        dirs.addAll(where.standardDirs());

        List<Library> missing = new ArrayList<>();
        for (Library library : REQUIRED) {
            Path fromCache = cached.get(library.soname());
            boolean found = (fromCache != null && Files.exists(fromCache))
                    || dirs.stream().anyMatch(dir -> Files.exists(dir.resolve(library.soname())));
            if (!found) {
                missing.add(library);
            }
        }
        return new Probe(true, missing, notes(missing, cached, dirs, where.offPathDirs()));
    }

    private static List<String> notes(List<Library> missing, Map<String, Path> cached, List<Path> dirs, List<Path> offPath) {
        List<String> notes = new ArrayList<>();
        Map<Path, List<String>> strays = new LinkedHashMap<>();
        Set<String> otherVersions = new LinkedHashSet<>();
        for (Library library : missing) {
            for (Path dir : offPath) {
                if (Files.exists(dir.resolve(library.soname()))) {
                    strays.computeIfAbsent(dir, d -> new ArrayList<>()).add(library.soname());
                    break;
                }
            }
            String stem = library.soname().substring(0, library.soname().lastIndexOf('.') + 1);
            for (String name : cached.keySet()) {
                if (isOtherVersion(name, stem, library.soname())) {
                    otherVersions.add(name);
                }
            }
            for (Path dir : dirs) {
                otherVersions.addAll(listOtherVersions(dir, stem, library.soname()));
            }
        }
        strays.forEach((dir, names) -> notes.add(String.join(", ", names) + (names.size() == 1 ? " is" : " are")
                + " in " + dir + ", which the loader does not search: add that folder to LD_LIBRARY_PATH"));
        if (!otherVersions.isEmpty()) {
            notes.add("found " + String.join(", ", otherVersions)
                    + " of another version, but onnxruntime_gpu " + ortVersion() + " is built for CUDA " + CUDA_MAJOR);
        }
        return notes;
    }

    /** {@code libcudart.so.13} against {@code libcudart.so.12}: same library, another major version. */
    private static boolean isOtherVersion(String name, String stem, String wanted) {
        return name.startsWith(stem) && !name.equals(wanted) && name.length() > stem.length()
                && Character.isDigit(name.charAt(stem.length()));
    }

    private static List<String> listOtherVersions(Path dir, String stem, String wanted) {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, stem + "*")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (isOtherVersion(name, stem, wanted)) {
                    names.add(name);
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable folder only costs a note, never the probe.
        }
        return names;
    }

    /**
     * File name to path for every library in the loader cache. Rather than parse the cache's
     * versioned binary layout, this takes its NUL-terminated strings that are absolute paths.
     */
    static Map<String, Path> readCache(Path cache) {
        Map<String, Path> byName = new HashMap<>();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cache);
        } catch (IOException | RuntimeException e) {
            return byName;
        }
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i - start > 1 && bytes[start] == '/') {
                    String path = new String(bytes, start, i - start, StandardCharsets.ISO_8859_1);
                    int slash = path.lastIndexOf('/');
                    byName.putIfAbsent(path.substring(slash + 1), Path.of(path));
                }
                start = i + 1;
            }
        }
        return byName;
    }

    private static List<Path> split(String pathList) {
        List<Path> dirs = new ArrayList<>();
        if (pathList != null) {
            for (String part : pathList.split(":")) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
        }
        return dirs;
    }

    private static List<Path> standardDirs() {
        String arch = System.getProperty("os.arch", "");
        String multiarch = arch.equals("aarch64") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        return List.of(Path.of("/lib", multiarch), Path.of("/usr/lib", multiarch),
                Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));
    }

    /** Where CUDA toolkits usually live, though the loader does not look there by itself. */
    private static List<Path> offPathDirs() {
        List<Path> homes = new ArrayList<>();
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                homes.add(Path.of(value));
            }
        }
        try (DirectoryStream<Path> local = Files.newDirectoryStream(Path.of("/usr/local"), "cuda*")) {
            local.forEach(homes::add);
        } catch (IOException | RuntimeException e) {
            // No /usr/local/cuda*: nothing to suggest.
        }
        List<Path> dirs = new ArrayList<>();
        for (Path home : homes) {
            dirs.add(home.resolve("lib64"));
            dirs.add(home.resolve("lib"));
            dirs.add(home.resolve("targets/x86_64-linux/lib"));
        }
        return dirs;
    }
}
