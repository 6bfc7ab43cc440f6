package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.CudaLibraries.Library;
import dev.sinkfix.runtime.CudaLibraries.Probe;
import dev.sinkfix.runtime.CudaLibraries.SearchPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaLibrariesTest {
    @TempDir
    Path root;

    private Path dir(String name, String... libraries) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        for (String library : libraries) {
            Files.writeString(dir.resolve(library), "not really ELF");
        }
        return dir;
    }

    private static List<String> sonames(Probe probe) {
        return probe.missing().stream().map(Library::soname).toList();
    }

    @Test
    void librariesOnLdLibraryPathAndInTheCacheCount() throws IOException {
        Path ld = dir("ld", "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12");
        Path cachedDir = dir("cached", "libcurand.so.10");
        Path system = dir("system", "libcuda.so.1");
        Path cache = writeCache(cachedDir.resolve("libcurand.so.10"));
        Probe probe = CudaLibraries.probe(new SearchPath(List.of(ld), cache, List.of(system), List.of()));
        assertTrue(probe.checked());
        assertTrue(probe.complete(), probe::describe);
        assertEquals("", probe.describe());
    }

    @Test
    void cudnnAndCufftAreNotRequiredSinceOnnxRuntime129() {
        List<String> required = CudaLibraries.REQUIRED.stream().map(Library::soname).toList();
        assertFalse(required.stream().anyMatch(s -> s.startsWith("libcudnn") || s.startsWith("libcufft")), required::toString);
        assertTrue(required.contains("libcudart.so." + CudaLibraries.CUDA_MAJOR), required::toString);
    }

    @Test
    void missingLibrariesAreNamedWithWhatInstallsThemAndTheCudaMajor() throws IOException {
        Path system = dir("system", "libcudart.so.12", "libcublas.so.12", "libcurand.so.10");
        Probe probe = CudaLibraries.probe(new SearchPath(List.of(), root.resolve("no-cache"), List.of(system), List.of()));
        assertEquals(List.of("libcublasLt.so.12", "libcuda.so.1"), sonames(probe));
        assertEquals("libcublasLt.so.12 (CUDA 12) / libcuda.so.1 (NVIDIA driver) needed by onnxruntime_gpu (built for"
                + " CUDA 12) were not found on the library search path (LD_LIBRARY_PATH, ld.so.cache, /usr/lib)",
                probe.describe());
    }

    @Test
    void aCacheEntryWhoseFileIsGoneDoesNotCount() throws IOException {
        Path system = dir("system", "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcuda.so.1");
        Path cache = writeCache(root.resolve("gone/libcurand.so.10"));
        Probe probe = CudaLibraries.probe(new SearchPath(List.of(), cache, List.of(system), List.of()));
        assertEquals(List.of("libcurand.so.10"), sonames(probe));
        assertTrue(probe.describe().startsWith("libcurand.so.10 (CUDA 12) needed by onnxruntime_gpu (built for CUDA 12)"
                + " was not found"), probe.describe());
    }

    @Test
    void notesSayWhereStrayLibrariesAndOtherVersionsAre() throws IOException {
        Path toolkit = dir("cuda-12.4/lib64", "libcublasLt.so.12", "libcurand.so.10");
        Path system = dir("system", "libcudart.so.13", "libcuda.so.1");
        Path cache = writeCache(root.resolve("system/libcudart.so.13"), root.resolve("elsewhere/libcublas.so.13"));
        Probe probe = CudaLibraries.probe(new SearchPath(List.of(), cache, List.of(system), List.of(toolkit)));
        assertEquals(List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcurand.so.10"),
                sonames(probe));
        String line = probe.describe();
        assertTrue(line.contains("libcublasLt.so.12, libcurand.so.10 are in " + toolkit
                + ", which the loader does not search: add that folder to LD_LIBRARY_PATH"), line);
        assertTrue(line.contains("found libcudart.so.13, libcublas.so.13 of another version, but onnxruntime_gpu 1.29"),
                line);
        assertTrue(line.endsWith("is built for CUDA 12"), line);
        assertFalse(line.contains("\n"));
    }

    @Test
    void aBuildWithTheCpuOnlyJarSaysSoInsteadOfListingCudaLibraries() {
        Probe probe = CudaLibraries.probe();
        if (CudaLibraries.gpuJarBundled()) {
            assertFalse(probe.missing().contains(CudaLibraries.GPU_JAR));
        } else {
            assertEquals(List.of(CudaLibraries.GPU_JAR), probe.missing());
            assertTrue(probe.describe().contains("CPU-only onnxruntime jar"), probe.describe());
        }
    }

    @Test
    void theRealProbeOfThisMachineIsOneLine() {
        Probe probe = CudaLibraries.probe();
        assertFalse(probe.describe().contains("\n"));
        assertEquals(probe.complete(), probe.describe().isEmpty());
    }

    /** A stand-in for /etc/ld.so.cache: a header, then NUL-terminated names and paths. */
    private Path writeCache(Path... libraries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("glibc-ld.so.cache1.1\u0003\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1));
        for (Path library : libraries) {
            bytes.writeBytes((library.getFileName() + "\u0000" + library + "\u0000").getBytes(StandardCharsets.ISO_8859_1));
        }
        return Files.write(root.resolve("ld.so.cache"), bytes.toByteArray());
    }
}
