package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sinkfix.runtime.CudaLibraries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code run} on the CUDA execution provider. Skipped, with the reason in the test report, where
 * this machine has no NVIDIA device or lacks the CUDA libraries; where it has both, a failure here
 * is a real failure.
 */
@Tag("gpu")
class RunOnGpuTest {
    private static final Path REAL = Path.of(System.getProperty("sinkfix.shared"), "models", "tiny-random-llama-genai-fp16");

    @BeforeEach
    void needsCuda() {
        CudaLibraries.Probe probe = CudaLibraries.probe();
        assumeTrue(probe.complete(), () -> "no CUDA libraries: " + probe.describe());
        boolean device = Files.exists(Path.of("/dev/nvidiactl")) || Files.exists(Path.of("/dev/dxg"));
        assumeTrue(device, "no NVIDIA device: neither /dev/nvidiactl nor /dev/dxg exists");
    }

    @Test
    void generatesOnCudaAndSaysSo() throws Exception {
        for (String device : List.of("cuda", "auto")) {
            Cli.Outcome r = Cli.run("run", REAL.toString(), "--prompt", "Hello world", "--max-new-tokens", "8",
                    "--device", device, "--json");
            assertEquals(0, r.code(), r.err());
            assertEquals(List.of(), r.errLines(), "no fallback warning where CUDA works");
            JsonNode doc = new ObjectMapper().readTree(r.out());
            assertEquals("cuda", doc.get("provider").asText());
            assertEquals(8, doc.at("/generated/tokens").asInt());
        }
    }
}
