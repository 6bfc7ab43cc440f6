package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one gate of every GPU test: skipped, with the reason in the test report, where the CUDA
 * libraries or an NVIDIA device are missing; where both are there, a failure is a real failure.
 */
public final class GpuAvailable {
    private GpuAvailable() {
    }

    public static void assume() {
        CudaLibraries.Probe probe = CudaLibraries.probe();
        assumeTrue(probe.complete(), () -> "no CUDA libraries: " + probe.describe());
        boolean device = Files.exists(Path.of("/dev/nvidiactl")) || Files.exists(Path.of("/dev/dxg"));
        assumeTrue(device, "no NVIDIA device: neither /dev/nvidiactl nor /dev/dxg exists");
    }
}
