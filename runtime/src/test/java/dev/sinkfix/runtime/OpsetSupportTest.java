package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real sessions of ONNX Runtime 1.29: opset 24 loads, an opset past its support is one line. */
class OpsetSupportTest {
    @TempDir
    Path tmp;

    @Test
    void opset24AndOpset26Load() throws Exception {
        for (int opset : new int[] {24, 26}) {
            try (ModelSession s = Sessions.open(TinyModels.identityAtOpset(tmp, opset), SessionConfig.defaults().withDevice(Device.CPU), w -> {})) {
                assertEquals("x", s.inputs().get(0).name());
            }
        }
    }

    @Test
    void anOpsetNewerThanTheRuntimeIsOneLineNamingBoth() throws Exception {
        Path model = TinyModels.identityAtOpset(tmp, 27);
        OrtException e = assertThrows(OrtException.class, () -> Sessions.open(model, SessionConfig.defaults().withDevice(Device.CPU), w -> {}));
        assertEquals("the model imports ai.onnx opset 27, newer than the bundled ONNX Runtime " + CudaLibraries.ortVersion()
                + " supports (up to opset 26); re-export it at opset 26 or lower", e.getMessage());
    }
}
