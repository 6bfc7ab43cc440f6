package dev.sinkfix.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionsTest {
    private static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU);

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void matMulFp32RunsOnCpu() throws Exception {
        try (ModelSession session = Sessions.open(TinyModels.matMulFp32(dir), CPU, warnings::add);
             OnnxTensor x = Tensors.fp32(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             OnnxTensor w = Tensors.fp32(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
             OrtSession.Result result = session.run(Map.of("x", x, "w", w))) {
            HostTensor y = Tensors.readFloats(result.get("y").orElseThrow());
            assertArrayEquals(new long[] {2, 2}, y.shape());
            assertArrayEquals(new float[] {1 + 3, 2 + 3, 4 + 6, 5 + 6}, y.values(), 0f);
            assertEquals(Device.CPU, session.provider());
            assertTrue(session.fallbackReason().isEmpty());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void addFp16RunsOnCpuAndRoundsLikeFp16() throws Exception {
        float[] a = {1f, 0.1f, 65504f, -2.5f, 3f, 1e-7f, 1024f, 0.5f};
        float[] b = {2f, 0.2f, 65504f, 2.5f, 0.25f, 0f, 0.5f, -0.5f};
        try (ModelSession session = Sessions.open(TinyModels.addFp16(dir), CPU, warnings::add);
             OnnxTensor ta = Tensors.fp16(a, 2, 4);
             OnnxTensor tb = Tensors.fp16(b, 2, 4);
             OrtSession.Result result = session.run(Map.of("a", ta, "b", tb))) {
            HostTensor c = Tensors.readFloats(result.get("c").orElseThrow());
            assertArrayEquals(new long[] {2, 4}, c.shape());
            // fp16 of 0.1 + fp16 of 0.2, rounded to fp16 again; 65504 + 65504 overflows to infinity;
            // 1e-7 is a subnormal (fp16 6e-8 steps); 1024 + 0.5 is a tie that rounds to even.
            float[] expected = {3f, 0.2998046875f, Float.POSITIVE_INFINITY, 0f, 3.25f, 1.1920929e-7f, 1024f, 0f};
            assertArrayEquals(expected, c.values(), 0f);
            assertEquals(3.25f, c.get(1, 0));
        }
    }

    @Test
    void signatureNamesTypesAndSymbolicDimensions() throws Exception {
        try (ModelSession session = Sessions.open(TinyModels.addFp16(dir), CPU, warnings::add)) {
            assertEquals(List.of("a", "b"), session.inputs().stream().map(IoSpec::name).toList());
            IoSpec a = session.input("a");
            assertEquals(DataType.FLOAT16, a.dtype());
            assertArrayEquals(new long[] {-1, 4}, a.shape());
            assertEquals(List.of("batch", ""), a.dimNames());
            assertEquals("c float16[batch, 4]", session.output("c").toString());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> session.input("input_ids"));
            assertEquals("unknown input 'input_ids', expected one of a, b", unknown.getMessage());
        }
    }

    @Test
    void everyConfigOptionIsAccepted() throws Exception {
        SessionConfig config = CPU.withOptimization(GraphOptimization.DISABLE).withIntraOpThreads(1)
                .withMemoryPattern(false).withCpuArena(false);
        try (ModelSession session = Sessions.open(TinyModels.matMulFp32(dir), config, warnings::add);
             OnnxTensor x = Tensors.fp32(new float[] {1, 1, 1, 1, 1, 1}, 2, 3);
             OnnxTensor w = Tensors.fp32(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
             OrtSession.Result result = session.run(Map.of("x", x, "w", w))) {
            assertArrayEquals(new float[] {9, 12, 9, 12}, Tensors.readFloats(result.get(0)).values(), 0f);
        }
        assertThrows(IllegalArgumentException.class, () -> CPU.withIntraOpThreads(-1));
    }

    @Test
    void autoUsesCudaOrSaysInOneWarningWhyNot() throws Exception {
        CudaLibraries.Probe probe = CudaLibraries.probe();
        try (ModelSession session = Sessions.open(TinyModels.matMulFp32(dir), SessionConfig.defaults(), warnings::add)) {
            if (session.provider() == Device.CUDA) {
                assertEquals(List.of(), warnings);
                return;
            }
            assertEquals(Device.CPU, session.provider());
            assertEquals(1, warnings.size(), () -> "warnings: " + warnings);
            String warning = warnings.get(0);
            assertTrue(warning.startsWith("CUDA execution provider unavailable: "), warning);
            assertTrue(warning.endsWith("; running on CPU"), warning);
            assertFalse(warning.contains("\n"), warning);
            assertEquals(warning, session.fallbackReason().orElseThrow() + "; running on CPU");
            if (!probe.complete()) {
                assertTrue(warning.contains(probe.missing().get(0).soname()), warning);
            }
        }
    }

    @Test
    void cudaOnAMachineWithoutItThrowsAndNamesTheMissingLibrary() throws Exception {
        CudaLibraries.Probe probe = CudaLibraries.probe();
        assumeFalse(probe.complete(), "the CUDA libraries are all present here; GpuSessionTest covers this machine");
        Path model = TinyModels.matMulFp32(dir);
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> Sessions.open(model, CPU.withDevice(Device.CUDA), warnings::add));
        String message = e.getMessage();
        assertTrue(message.startsWith("CUDA execution provider unavailable: "), message);
        assertTrue(message.contains(probe.missing().get(0).soname()), message);
        // ORT_FAIL from onnxruntime_gpu without CUDA, ORT_EP_FAIL from the CPU-only jar.
        assertTrue(message.contains("ONNX Runtime said: ORT_"), message);
        assertFalse(message.contains("\n"), message);
        assertTrue(e.getCause() instanceof OrtException);
        assertEquals(List.of(), warnings);
    }

    @Test
    void closeIsIdempotentAndRunAfterCloseIsRefused() throws Exception {
        ModelSession session = Sessions.open(TinyModels.matMulFp32(dir), CPU, warnings::add);
        session.close();
        session.close();
        assertTrue(session.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> session.run(Map.of()));
        assertTrue(e.getMessage().endsWith("is closed"), e.getMessage());
    }

    @Test
    void aMissingModelIsBadInput() {
        Path missing = dir.resolve("nope.onnx");
        BadInputException e = assertThrows(BadInputException.class, () -> Sessions.open(missing, CPU, warnings::add));
        assertEquals("cannot read the model " + missing + ": no such file", e.getMessage());
    }

    @Test
    void aModelOnnxRuntimeRefusesIsAnOrtException() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "not a model");
        OrtException e = assertThrows(OrtException.class, () -> Sessions.open(garbage, CPU, warnings::add));
        assertTrue(e.getMessage().contains("ORT_"), e.getMessage());
    }

    @Test
    void devicesParseFromTheirIds() {
        assertEquals(Device.CUDA, Device.parse("CUDA"));
        assertEquals("auto", Device.AUTO.id());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
        assertEquals("unknown device 'gpu', expected one of auto, cuda, cpu", e.getMessage());
    }

    @Test
    void condenseKeepsOnnxRuntimesWordsOnOneLine() {
        String raw = "Error code - ORT_FAIL - message: \u001B[1;31m/onnxruntime_src/onnxruntime/core/session/"
                + "provider_bridge_ort.cc:1844 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() "
                + "[ONNXRuntimeError] : 1 : FAIL : Failed to load library\nlibonnxruntime_providers_cuda.so\u001B[m";
        assertEquals("ORT_FAIL: Failed to load library libonnxruntime_providers_cuda.so", Sessions.condense(raw));
        String noDevice = "Error code - ORT_RUNTIME_EXCEPTION - message: Exception during initialization: "
                + "/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:129 std::conditional_t<THRW, void, "
                + "onnxruntime::common::Status> onnxruntime::CudaCall(ERRTYPE, const char*, const char*, SUCCTYPE, "
                + "const char*, const char*, int) [with ERRTYPE = cudaError; bool THRW = true] CUDA failure 100: "
                + "no CUDA-capable device is detected ; GPU=0 ; hostname=box";
        assertEquals("ORT_RUNTIME_EXCEPTION: Exception during initialization: CUDA failure 100: no CUDA-capable device"
                + " is detected ; GPU=0 ; hostname=box", Sessions.condense(noDevice));
        assertEquals(300, Sessions.condense("x".repeat(1000)).length());
    }
}
