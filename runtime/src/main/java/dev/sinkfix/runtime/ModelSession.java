package dev.sinkfix.runtime;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An open ONNX Runtime session and the facts about it: the provider it really runs on, why CUDA
 * was not used where it was wanted, its inputs and outputs. Owns the native session and its
 * options; {@link #close()} releases both once and may be called again.
 */
public final class ModelSession implements AutoCloseable {
    private final Path model;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final Device provider;
    private final String fallbackReason;
    private final List<IoSpec> inputs;
    private final List<IoSpec> outputs;
    private boolean closed;

    ModelSession(Path model, OrtSession session, OrtSession.SessionOptions options, Device provider,
                 String fallbackReason, List<IoSpec> inputs, List<IoSpec> outputs) {
        this.model = model;
        this.session = session;
        this.options = options;
        this.provider = provider;
        this.fallbackReason = fallbackReason;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    public Path model() {
        return model;
    }

    /** {@link Device#CUDA} or {@link Device#CPU}: the provider the session was created with. */
    public Device provider() {
        return provider;
    }

    /** Why an AUTO session runs on the CPU; empty when it runs where it was asked to. */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallbackReason);
    }

    /** The model's inputs in ONNX Runtime's order (initializers that may be overridden excluded). */
    public List<IoSpec> inputs() {
        return inputs;
    }

    public List<IoSpec> outputs() {
        return outputs;
    }

    /** The input called {@code name}; the message lists the names there are. */
    public IoSpec input(String name) {
        return find(inputs, name, "input");
    }

    public IoSpec output(String name) {
        return find(outputs, name, "output");
    }

    /** Runs the model for every output. The caller closes the result, and its own input tensors. */
    public OrtSession.Result run(Map<String, ? extends OnnxTensorLike> feeds) throws OrtException {
        return live().run(feeds);
    }

    /** Runs the model for the named outputs only. */
    public OrtSession.Result run(Map<String, ? extends OnnxTensorLike> feeds, Set<String> wanted) throws OrtException {
        return live().run(feeds, wanted);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (options) {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the session of " + model + " failed: " + e.getMessage(), e);
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ModelSession[" + model.getFileName() + " on " + provider.id() + (closed ? ", closed" : "") + "]";
    }

    private synchronized OrtSession live() {
        if (closed) {
            throw new IllegalStateException("the session of " + model + " is closed");
        }
        return session;
    }

    private static IoSpec find(List<IoSpec> specs, String name, String kind) {
        for (IoSpec spec : specs) {
            if (spec.name().equals(name)) {
                return spec;
            }
        }
        throw new IllegalArgumentException("unknown " + kind + " '" + name + "', expected one of "
                + specs.stream().map(IoSpec::name).collect(Collectors.joining(", ")));
    }
}
