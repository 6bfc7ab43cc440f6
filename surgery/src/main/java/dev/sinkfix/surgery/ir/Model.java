package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model: its main graph, the operator sets it imports, its metadata, and every other
 * ModelProto field kept as read ({@link #extras()}: producer, functions, training info,
 * unknown fields). {@link #baseDir()} is the folder that external-data locations are relative to.
 */
public final class Model {
    private ModelProto extras;
    private final Graph graph;
    private final Map<String, String> metadata;
    private final Path source;

    /** {@code source} is the file the model was read from, or null for a model built in memory. */
    public Model(ModelProto extras, Graph graph, Map<String, String> metadata, Path source) {
        this.extras = extras;
        this.graph = graph;
        this.metadata = new LinkedHashMap<>(metadata);
        this.source = source == null ? null : source.toAbsolutePath().normalize();
    }

    public Graph graph() {
        return graph;
    }

    public ModelProto extras() {
        return extras;
    }

    public long irVersion() {
        return extras.getIrVersion();
    }

    /** Mutable, ordered: keys as in the file, new keys at the end. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The file the model was read from, or null. */
    public Path source() {
        return source;
    }

    /** The folder external-data locations are relative to, or null for a model built in memory. */
    public Path baseDir() {
        return source == null ? null : source.getParent();
    }

    /** The imported version of a domain ("" and "ai.onnx" alike), or -1 when not imported. */
    public long opsetVersion(String domain) {
        for (OperatorSetIdProto op : extras.getOpsetImportList()) {
            if (Domains.same(op.getDomain(), domain)) {
                return op.getVersion();
            }
        }
        return -1;
    }

    /** Every imported operator set, {@code ai.onnx} for the standard domain, in file order. */
    public Map<String, Long> opsets() {
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto op : extras.getOpsetImportList()) {
            opsets.put(op.getDomain().isEmpty() ? "ai.onnx" : op.getDomain(), op.getVersion());
        }
        return opsets;
    }

    /** The model's doc string, empty when it has none. */
    public String docString() {
        return extras.getDocString();
    }

    /** Imports {@code domain} at {@code version} unless it is imported already. */
    public void requireOpset(String domain, long version) {
        if (opsetVersion(domain) < 0) {
            extras = extras.toBuilder()
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version))
                    .build();
        }
    }

    public String producer() {
        String version = extras.getProducerVersion();
        return extras.getProducerName() + (version.isEmpty() ? "" : " " + version);
    }
}
