package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions on the CUDA execution provider. Skipped, with the reason in the test report, where
 * this machine has no NVIDIA device or lacks the CUDA libraries; where it has both, a failure
 * here is a real failure.
 */
@Tag("gpu")
class GpuSessionTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsCuda() {
        GpuAvailable.assume();
    }

    @Test
    void cudaRunsFp16AndFp32Models() throws Exception {
        List<String> warnings = new ArrayList<>();
        SessionConfig cuda = SessionConfig.defaults().withDevice(Device.CUDA);
        try (ModelSession session = Sessions.open(TinyModels.addFp16(dir), cuda, warnings::add);
             OnnxTensor a = Tensors.fp16(new float[] {1, 2, 3, 4}, 1, 4);
             OnnxTensor b = Tensors.fp16(new float[] {0.5f, 0.25f, -3, 1024}, 1, 4);
             OrtSession.Result result = session.run(Map.of("a", a, "b", b))) {
            assertEquals(Device.CUDA, session.provider());
            assertArrayEquals(new float[] {1.5f, 2.25f, 0, 1028}, Tensors.readFloats(result.get(0)).values(), 0f);
        }
        try (ModelSession session = Sessions.open(TinyModels.matMulFp32(dir), SessionConfig.defaults(), warnings::add);
             OnnxTensor x = Tensors.fp32(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             OnnxTensor w = Tensors.fp32(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
             OrtSession.Result result = session.run(Map.of("x", x, "w", w))) {
            assertEquals(Device.CUDA, session.provider(), "AUTO picks CUDA where it works");
            assertArrayEquals(new float[] {4, 5, 10, 11}, Tensors.readFloats(result.get(0)).values(), 1e-5f);
        }
        assertEquals(List.of(), warnings);
    }
}
