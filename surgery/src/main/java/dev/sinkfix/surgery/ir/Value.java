package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.TypeProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A named tensor in a graph: produced by a node, fed as a graph input, or held by an
 * initializer. It knows its producer and every use, so rewrites never search by name.
 */
public final class Value {
    private final Graph graph;
    private String name;
    private ValueInfoProto info;
    private Node producer;
    private int producerIndex = -1;
    private Tensor initializer;
    private final List<Use> uses = new ArrayList<>();

    Value(Graph graph, String name) {
        this.graph = graph;
        this.name = name;
        this.info = ValueInfoProto.getDefaultInstance();
    }

    public Graph graph() {
        return graph;
    }

    public String name() {
        return name;
    }

    void rename(String name) {
        this.name = name;
    }

    /** Type, doc string and metadata as a value-info record (its name field unused). */
    public ValueInfoProto info() {
        return info;
    }

    public void setInfo(ValueInfoProto info) {
        this.info = info.toBuilder().clearName().build();
    }

    public boolean hasType() {
        return info.hasType() || initializer != null;
    }

    public TypeProto typeProto() {
        return info.getType();
    }

    /** The tensor type when known: from value info, or from the initializer's own header. */
    public TensorType tensorType() {
        if (info.hasType()) {
            TensorType t = TensorType.fromProto(info.getType());
            if (t != null) {
                return t;
            }
        }
        return initializer != null ? initializer.type() : null;
    }

    public DataType dtype() {
        TensorType t = tensorType();
        return t == null ? DataType.UNDEFINED : t.dtype();
    }

    public void setType(TensorType type) {
        this.info = info.toBuilder().setType(type.toProto()).build();
    }

    public Node producer() {
        return producer;
    }

    public int producerIndex() {
        return producerIndex;
    }

    void setProducer(Node node, int index) {
        this.producer = node;
        this.producerIndex = index;
    }

    public Tensor initializer() {
        return initializer;
    }

    void setInitializer(Tensor tensor) {
        this.initializer = tensor;
    }

    public boolean isInitializer() {
        return initializer != null;
    }

    public boolean isGraphInput() {
        return graph.inputs().contains(this);
    }

    public boolean isGraphOutput() {
        return graph.outputs().contains(this);
    }

    public List<Use> uses() {
        return Collections.unmodifiableList(uses);
    }

    /** The nodes that read this value, each once, in the order of their first use. */
    public List<Node> consumers() {
        List<Node> nodes = new ArrayList<>();
        for (Use u : uses) {
            if (!nodes.contains(u.node())) {
                nodes.add(u.node());
            }
        }
        return nodes;
    }

    void addUse(Use use) {
        uses.add(use);
    }

    void removeUse(Node node, int index) {
        uses.removeIf(u -> u.node() == node && u.index() == index);
    }

    @Override
    public String toString() {
        return name;
    }
}
