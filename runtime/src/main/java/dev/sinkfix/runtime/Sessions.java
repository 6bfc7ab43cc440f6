package dev.sinkfix.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Opens ONNX Runtime sessions on the device a {@link SessionConfig} asks for.
 *
 * <p>{@link Device#CUDA} uses the CUDA execution provider or throws {@link DeviceUnavailableException}.
 * {@link Device#AUTO} uses CUDA when it can and otherwise runs on the CPU after exactly one warning
 * that says why. When the CUDA libraries are plainly missing AUTO does not ask ONNX Runtime at all:
 * asking costs about 3 s and a 370 MB copy of the CUDA provider into the temp folder per process.
 */
public final class Sessions {
    /** ONNX Runtime messages that point at the GPU rather than at the model. */
    private static final Pattern DEVICE_TROUBLE =
            Pattern.compile("(?i)cuda|cudnn|cublas|cufft|curand|gpu|nvidia|providers_cuda");
    /** A source location with the C++ signature after it, up to the words that matter. */
    private static final Pattern LOCATION_AND_SIGNATURE = Pattern.compile(
            "(?s)\\S+\\.(?:cc|cpp|cu|h):\\d+\\s.*?(?=\\[ONNXRuntimeError\\]|\\b(?:CUDA|CUDNN|CUBLAS|CUFFT|CURAND) failure)");

    private static OrtEnvironment environment;

    private Sessions() {}

    /**
     * The process's ONNX Runtime environment. Its native logger is kept to fatal errors, because
     * ONNX Runtime would otherwise print its own lines to stderr (a red multi-line error for a
     * missing CUDA library); everything worth saying reaches the caller through exceptions and
     * the warnings consumer instead. Use this rather than {@code OrtEnvironment.getEnvironment()}:
     * the first call in a process fixes the log level.
     */
    public static synchronized OrtEnvironment environment() {
        if (environment == null) {
            environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "onnx-sinkfix");
        }
        return environment;
    }

    /**
     * Opens {@code model} as {@code config} says.
     *
     * @param warnings receives at most one line, when an AUTO session falls back to the CPU
     * @throws BadInputException          when {@code model} is not a readable file
     * @throws DeviceUnavailableException when CUDA was asked for and cannot be used
     * @throws OrtException               when ONNX Runtime refuses the model
     */
    public static ModelSession open(Path model, SessionConfig config, Consumer<String> warnings) throws OrtException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(warnings, "warnings");
        if (!Files.isRegularFile(model) || !Files.isReadable(model)) {
            throw new BadInputException("cannot read the model " + model + ": "
                    + (Files.exists(model) ? "not a readable file" : "no such file"));
        }
        OrtEnvironment env = environment();
        switch (config.device()) {
            case CPU:
                return create(env, model, config, Device.CPU, null);
            case CUDA:
                try {
                    return create(env, model, config, Device.CUDA, null);
                } catch (CudaFailure failure) {
                    throw new DeviceUnavailableException(unavailable(CudaLibraries.probe(), failure.getCause()), failure.getCause());
                }
            case AUTO:
            default:
                CudaLibraries.Probe probe = CudaLibraries.probe();
                if (!probe.complete()) {
                    return cpuFallback(env, model, config, unavailable(probe, null), warnings);
                }
                try {
                    return create(env, model, config, Device.CUDA, null);
                } catch (CudaFailure failure) {
                    return cpuFallback(env, model, config, unavailable(probe, failure.getCause()), warnings);
                }
        }
    }

    private static ModelSession cpuFallback(OrtEnvironment env, Path model, SessionConfig config, String reason,
                                            Consumer<String> warnings) throws OrtException {
        warnings.accept(reason + "; running on CPU");
        return create(env, model, config, Device.CPU, reason);
    }

    /** CUDA could not be used: its provider did not load, or the session failed on the device. */
    private static final class CudaFailure extends RuntimeException {
        CudaFailure(OrtException cause) {
            super(cause);
        }

        @Override
        public synchronized OrtException getCause() {
            return (OrtException) super.getCause();
        }
    }

    private static ModelSession create(OrtEnvironment env, Path model, SessionConfig config, Device provider,
                                       String fallbackReason) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = null;
        try {
            options.setOptimizationLevel(config.optimization().ortLevel());
            if (config.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(config.intraOpThreads());
            }
            options.setMemoryPatternOptimization(config.memoryPattern());
            options.setCPUArenaAllocator(config.cpuArena());
            if (provider == Device.CUDA) {
                try {
                    options.addCUDA();
                } catch (OrtException e) {
                    throw new CudaFailure(e);
                }
            }
            try {
                session = env.createSession(model.toString(), options);
            } catch (OrtException e) {
                if (provider == Device.CUDA && DEVICE_TROUBLE.matcher(String.valueOf(e.getMessage())).find()) {
                    throw new CudaFailure(e);
                }
                throw OpsetSupport.explain(e);
            }
            ModelSession wrapped = new ModelSession(model, session, options, provider, fallbackReason,
                    specs(session.getInputInfo()), specs(session.getOutputInfo()));
            session = null;
            options = null;
            return wrapped;
        } finally {
            if (session != null) {
                session.close();
            }
            if (options != null) {
                options.close();
            }
        }
    }

    /** One line: what is missing (from the probe), then ONNX Runtime's own words. */
    static String unavailable(CudaLibraries.Probe probe, OrtException ortError) {
        StringBuilder reason = new StringBuilder("CUDA execution provider unavailable: ");
        String missing = probe.describe();
        reason.append(missing);
        if (ortError != null) {
            reason.append(missing.isEmpty() ? "" : "; ").append("ONNX Runtime said: ").append(condense(ortError.getMessage()));
        }
        return reason.toString();
    }

    /**
     * ONNX Runtime's error text as one short line: without the "Error code - X - message:" frame,
     * source locations and C++ signatures, terminal colours and line breaks.
     */
    public static String condense(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = message.replaceAll("\u001B\\[[;\\d]*m", "")
                .replaceFirst("^Error code - (\\w+) - message: ", "$1: ");
        line = LOCATION_AND_SIGNATURE.matcher(line).replaceAll("")
                .replaceAll("\\S+\\.(?:cc|cpp|cu|h):\\d+\\s*", "")
                .replaceAll("\\[ONNXRuntimeError\\] : \\d+ : \\w+ : ", "")
                .replaceAll("\\s+", " ")
                .trim();
        return line.length() <= 300 ? line : line.substring(0, 297) + "...";
    }

    private static List<IoSpec> specs(Map<String, NodeInfo> infos) {
        List<IoSpec> specs = new ArrayList<>();
        for (NodeInfo node : infos.values()) {
            specs.add(spec(node.getName(), node.getInfo()));
        }
        return specs;
    }

    private static IoSpec spec(String name, ValueInfo info) {
        if (!(info instanceof TensorInfo tensor)) {
            return new IoSpec(name, DataType.UNDEFINED, new long[0], List.of());
        }
        DataType dtype = Tensors.dataType(tensor);
        long[] shape = tensor.getShape();
        String[] names = tensor.getDimensionNames();
        List<String> dimNames = names == null || names.length != shape.length
                ? Collections.nCopies(shape.length, "")
                : Arrays.stream(names).map(n -> n == null ? "" : n).toList();
        return new IoSpec(name, dtype, shape, dimNames);
    }
}
