package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An operator application. Inputs and outputs are {@link Value}s; a left-out optional input
 * or output is null. Fields the tool does not interpret (doc string, metadata, device
 * configuration, unknown fields) ride along in {@link #extras()} and are written back as read.
 */
public final class Node {
    private final Graph graph;
    private String name;
    private String opType;
    private String domain;
    private String overload;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final Map<String, Attribute> attributes = new LinkedHashMap<>();
    private NodeProto extras = NodeProto.getDefaultInstance();

    Node(Graph graph, String name, String opType, String domain) {
        this.graph = graph;
        this.name = name;
        this.opType = opType;
        this.domain = domain == null ? "" : domain;
        this.overload = "";
    }

    public Graph graph() {
        return graph;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String opType() {
        return opType;
    }

    /** The operator domain, with "ai.onnx" read as the standard domain "". */
    public String domain() {
        return domain;
    }

    public boolean is(String domain, String opType) {
        return this.opType.equals(opType) && Domains.same(this.domain, domain);
    }

    /** True for an operator of the standard ONNX domain with this name. */
    public boolean isStandard(String opType) {
        return is("", opType);
    }

    public String overload() {
        return overload;
    }

    void setOverload(String overload) {
        this.overload = overload;
    }

    public NodeProto extras() {
        return extras;
    }

    void setExtras(NodeProto extras) {
        this.extras = extras;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    /** Input {@code i}, or null when it is left out or the node has fewer inputs. */
    public Value input(int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    /** Output {@code i}, or null when it is left out or the node has fewer outputs. */
    public Value output(int i) {
        return i < outputs.size() ? outputs.get(i) : null;
    }

    public Map<String, Attribute> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    public Attribute attribute(String name) {
        return attributes.get(name);
    }

    public long intAttribute(String name, long fallback) {
        Attribute a = attributes.get(name);
        return a == null ? fallback : a.i();
    }

    public void setAttribute(Attribute attribute) {
        attributes.put(attribute.name(), attribute);
    }

    public void removeAttribute(String name) {
        attributes.remove(name);
    }

    /** Replaces input {@code i}, keeping the use lists of both values right. */
    public void setInput(int i, Value value) {
        while (inputs.size() <= i) {
            inputs.add(null);
        }
        Value old = inputs.get(i);
        if (old != null) {
            old.removeUse(this, i);
        }
        inputs.set(i, value);
        if (value != null) {
            value.addUse(new Use(this, i));
        }
    }

    public void addInput(Value value) {
        setInput(inputs.size(), value);
    }

    void addOutputSlot(Value value) {
        int index = outputs.size();
        outputs.add(value);
        if (value != null) {
            value.setProducer(this, index);
        }
    }

    /**
     * Gives the left-out output {@code i} a value (a fused operator's optional output, say),
     * or returns the one it has.
     */
    public Value materializeOutput(int i, String name) {
        while (outputs.size() <= i) {
            outputs.add(null);
        }
        Value existing = outputs.get(i);
        if (existing != null) {
            return existing;
        }
        Value v = graph.newValue(name);
        outputs.set(i, v);
        v.setProducer(this, i);
        return v;
    }

    void detachInputs() {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) != null) {
                inputs.get(i).removeUse(this, i);
            }
        }
        inputs.clear();
    }

    /**
     * Values of enclosing graphs that this node reads, directly or from inside its subgraphs;
     * they decide where the node may stand in a topological order.
     */
    public Set<Value> dependencies() {
        Set<Value> deps = new LinkedHashSet<>();
        for (Value v : inputs) {
            if (v != null) {
                deps.add(v);
            }
        }
        for (Attribute a : attributes.values()) {
            for (Graph sub : a.graphs()) {
                sub.collectOuterReads(deps);
            }
        }
        return deps;
    }

    @Override
    public String toString() {
        String op = domain.isEmpty() ? opType : domain + ":" + opType;
        return op + (name.isEmpty() ? "" : " '" + name + "'");
    }
}
