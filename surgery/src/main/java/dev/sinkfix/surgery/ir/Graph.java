package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.surgery.BadInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A computation graph: nodes, graph inputs and outputs, initializers, and the values that
 * connect them. Subgraphs (branches of {@code If}, bodies of {@code Loop}) are graphs whose
 * {@link #parent()} is the graph of the node that holds them.
 */
public final class Graph {
    private final Graph parent;
    private final Names names;
    private String name = "";
    private GraphProto extras = GraphProto.getDefaultInstance();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<Value> initializers = new ArrayList<>();
    private final List<Value> annotated = new ArrayList<>();
    private final Map<String, Value> values = new LinkedHashMap<>();

    /** A new, empty main graph. */
    public Graph() {
        this(null, new Names());
    }

    private Graph(Graph parent, Names names) {
        this.parent = parent;
        this.names = names;
    }

    /** A new, empty subgraph of this graph, for a graph attribute of one of its nodes. */
    public Graph newSubgraph() {
        return new Graph(this, names);
    }

    public Graph parent() {
        return parent;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** Graph fields the tool does not interpret: doc string, sparse initializers, annotations, metadata. */
    public GraphProto extras() {
        return extras;
    }

    public void setExtras(GraphProto extras) {
        this.extras = extras;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public List<Value> initializers() {
        return Collections.unmodifiableList(initializers);
    }

    /** Values that carry a value-info record (type annotations of intermediate values), in file order. */
    public List<Value> annotated() {
        return Collections.unmodifiableList(annotated);
    }

    public void annotate(Value v) {
        if (!annotated.contains(v)) {
            annotated.add(v);
        }
    }

    /** The value of this name defined in this graph, or null. */
    public Value value(String name) {
        return values.get(name);
    }

    /** The value of this name as a node of this graph sees it: here or in an enclosing graph. */
    public Value resolve(String name) {
        for (Graph g = this; g != null; g = g.parent) {
            Value v = g.values.get(name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    public Value input(String name) {
        for (Value v : inputs) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    public Value output(String name) {
        for (Value v : outputs) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    /** Creates a value of exactly this name; the name must be new to the model. */
    public Value newValue(String name) {
        if (values.containsKey(name)) {
            throw new IllegalStateException("value '" + name + "' is defined twice in one graph");
        }
        names.claimValue(name);
        Value v = new Value(this, name);
        values.put(name, v);
        return v;
    }

    /** A value name based on {@code base} that no graph of the model uses yet. */
    public String freshValueName(String base) {
        return names.freshValue(base);
    }

    /** A node name based on {@code base} that no graph of the model uses yet. */
    public String freshNodeName(String base) {
        return names.freshNode(base);
    }

    void claimNodeName(String name) {
        names.claimNode(name);
    }

    public Value addInput(String name, TensorType type) {
        Value v = newValue(name);
        if (type != null) {
            v.setType(type);
        }
        inputs.add(v);
        return v;
    }

    /** Adds an existing value to the graph inputs (used by the importer). */
    public void addInput(Value v) {
        inputs.add(v);
    }

    public void addOutput(Value v) {
        outputs.add(v);
    }

    public void removeOutput(Value v) {
        outputs.remove(v);
    }

    public void replaceOutput(Value old, Value replacement) {
        int i = outputs.indexOf(old);
        if (i < 0) {
            throw new IllegalArgumentException("'" + old + "' is not an output of this graph");
        }
        outputs.set(i, replacement);
    }

    /** Adds a constant; its name becomes a value of this graph. */
    public Value addInitializer(Tensor tensor) {
        Value v = values.get(tensor.name());
        if (v == null) {
            v = newValue(tensor.name());
        } else if (v.isInitializer()) {
            throw new IllegalStateException("initializer '" + tensor.name() + "' is defined twice");
        }
        v.setInitializer(tensor);
        initializers.add(v);
        return v;
    }

    /** Replaces the tensor behind an initializer value, keeping its place in the file. */
    public void setInitializer(Value v, Tensor tensor) {
        if (!v.isInitializer() || !tensor.name().equals(v.name())) {
            throw new IllegalArgumentException("'" + v + "' is not an initializer of that name");
        }
        v.setInitializer(tensor);
    }

    /**
     * Appends a node whose outputs are new values with the given names (null or "" leaves an
     * optional output out). Inputs may be null for left-out optional inputs.
     */
    public Node addNode(String opType, String domain, String nodeName, List<Value> inputs, List<String> outputNames,
                        Attribute... attributes) {
        Node node = createNode(opType, domain, nodeName);
        for (Value in : inputs) {
            node.addInput(in);
        }
        for (String out : outputNames) {
            node.addOutputSlot(out == null || out.isEmpty() ? null : newValue(out));
        }
        for (Attribute a : attributes) {
            node.setAttribute(a);
        }
        nodes.add(node);
        return node;
    }

    Node createNode(String opType, String domain, String nodeName) {
        String n = nodeName == null ? "" : nodeName;
        claimNodeName(n);
        return new Node(this, n, opType, domain);
    }

    void appendImported(Node node) {
        nodes.add(node);
    }

    void bindOutput(Node node, Value v) {
        node.addOutputSlot(v);
    }

    /** Removes a node whose outputs nobody reads any more. */
    public void removeNode(Node node) {
        for (Value out : node.outputs()) {
            if (out != null && (!out.uses().isEmpty() || outputs.contains(out))) {
                throw new IllegalStateException("cannot remove " + node + ": its output '" + out + "' is still used");
            }
        }
        node.detachInputs();
        nodes.remove(node);
        for (Value out : node.outputs()) {
            if (out != null) {
                values.remove(out.name());
                annotated.remove(out);
            }
        }
    }

    /**
     * Makes every node that reads {@code old} (here or in a subgraph) read {@code replacement};
     * graph outputs are switched too when {@code includeGraphOutputs} is set.
     */
    public void replaceAllUsesWith(Value old, Value replacement, boolean includeGraphOutputs) {
        for (Use use : List.copyOf(old.uses())) {
            use.node().setInput(use.index(), replacement);
        }
        if (includeGraphOutputs) {
            List<Value> graphOutputs = old.graph().outputs;
            int i = graphOutputs.indexOf(old);
            if (i >= 0) {
                graphOutputs.set(i, replacement);
            }
        }
    }

    /** Removes nodes whose results nobody reads, repeatedly; returns how many went. */
    public int removeDeadNodes() {
        int removed = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                if (isDead(n)) {
                    removeNode(n);
                    removed++;
                    changed = true;
                }
            }
        }
        return removed;
    }

    private boolean isDead(Node n) {
        if (n.outputs().stream().allMatch(v -> v == null)) {
            return false;
        }
        for (Value out : n.outputs()) {
            if (out != null && (!out.uses().isEmpty() || outputs.contains(out))) {
                return false;
            }
        }
        return true;
    }

    public boolean isTopologicallySorted() {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : nodes) {
            for (Value dep : n.dependencies()) {
                Node p = producerHere(dep);
                if (p != null && !seen.contains(p)) {
                    return false;
                }
            }
            seen.add(n);
        }
        return true;
    }

    /**
     * Orders the nodes so each comes after the producers of what it reads, keeping the
     * existing order wherever it is already valid. Refuses a graph with a cycle.
     */
    public void topologicalSort() {
        List<Node> sorted = topologicalOrder();
        nodes.clear();
        nodes.addAll(sorted);
    }

    /** The nodes in a topological order (see {@link #topologicalSort()}), leaving the graph as it is. */
    public List<Node> topologicalOrder() {
        Map<Node, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i), i);
        }
        Map<Node, Integer> waiting = new IdentityHashMap<>();
        Map<Node, List<Node>> dependents = new IdentityHashMap<>();
        for (Node n : nodes) {
            int count = 0;
            for (Value dep : n.dependencies()) {
                Node p = producerHere(dep);
                if (p != null && p != n) {
                    dependents.computeIfAbsent(p, k -> new ArrayList<>()).add(n);
                    count++;
                }
            }
            waiting.put(n, count);
        }
        PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Integer.compare(position.get(a), position.get(b)));
        for (Node n : nodes) {
            if (waiting.get(n) == 0) {
                ready.add(n);
            }
        }
        List<Node> sorted = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            sorted.add(n);
            for (Node d : dependents.getOrDefault(n, List.of())) {
                if (waiting.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        if (sorted.size() != nodes.size()) {
            Node stuck = nodes.stream().filter(n -> waiting.get(n) > 0).findFirst().orElseThrow();
            throw new BadInputException("the graph has a cycle through node " + stuck
                    + ": an ONNX graph must be acyclic");
        }
        return sorted;
    }

    /** The node of this graph that produces {@code v}, following a value from a subgraph outwards. */
    private Node producerHere(Value v) {
        Node p = v.producer();
        return p != null && p.graph() == this ? p : null;
    }

    /** True when {@code g} is this graph or nested inside it. */
    public boolean encloses(Graph g) {
        for (Graph x = g; x != null; x = x.parent) {
            if (x == this) {
                return true;
            }
        }
        return false;
    }

    /** Adds the values of enclosing graphs that nodes of this graph (or deeper) read. */
    void collectOuterReads(Set<Value> into) {
        for (Node n : nodes) {
            for (Value v : n.dependencies()) {
                if (!encloses(v.graph())) {
                    into.add(v);
                }
            }
        }
    }

    /** The nodes of this graph and of all its subgraphs, depth first. */
    public List<Node> allNodes() {
        List<Node> all = new ArrayList<>();
        for (Node n : nodes) {
            all.add(n);
            for (Attribute a : n.attributes().values()) {
                for (Graph sub : a.graphs()) {
                    all.addAll(sub.allNodes());
                }
            }
        }
        return all;
    }

    /** Counts of operators by "domain:op" (standard ops without a prefix), for summaries. */
    public Map<String, Integer> opHistogram() {
        Map<String, Integer> counts = new HashMap<>();
        for (Node n : allNodes()) {
            String key = n.domain().isEmpty() ? n.opType() : n.domain() + ":" + n.opType();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }
}
