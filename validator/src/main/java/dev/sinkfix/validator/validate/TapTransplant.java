package dev.sinkfix.validator.validate;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Taps for a patched model, placed by the original: the taps are built on the original (which
 * the matcher understands) and their nodes copied into the patched graph, every tensor they
 * read found there by {@link PatchedGraphMap}. A patched model is never re-matched, so a patch the
 * matcher would not recognise (another tool's, one without metadata) is tapped where the original
 * says the layers are.
 */
final class TapTransplant {
    private TapTransplant() {
    }

    /**
     * @param original the original model; it gets the taps too, so both sessions read the same ones
     * @param decoder what the matcher found in {@code original}
     * @return the tap outputs, now in both models
     */
    static List<String> apply(Model original, Decoder decoder, Model patched, TapRequest request) {
        Graph source = original.graph();
        Set<Node> before = Collections.newSetFromMap(new IdentityHashMap<>());
        before.addAll(source.nodes());
        Set<Value> constantsBefore = Collections.newSetFromMap(new IdentityHashMap<>());
        constantsBefore.addAll(source.initializers());
        Taps.Result result = Taps.apply(original, decoder, request);

        Graph target = patched.graph();
        PatchedGraphMap map = new PatchedGraphMap(target);
        Map<Value, Value> copied = new IdentityHashMap<>();
        for (Value c : source.initializers()) {
            if (!constantsBefore.contains(c)) {
                Tensor t = c.initializer();
                if (target.value(t.name()) != null) {
                    throw new BadInputException("the patched model already has a tensor " + t.name()
                            + ", which the validation's taps need to add");
                }
                copied.put(c, target.addInitializer(t));
            }
        }
        for (Node n : source.topologicalOrder()) {
            if (before.contains(n)) {
                continue;
            }
            List<Value> inputs = new ArrayList<>();
            for (Value in : n.inputs()) {
                inputs.add(in == null ? null : copied.containsKey(in) ? copied.get(in) : map.map(in));
            }
            List<String> outputs = new ArrayList<>();
            for (Value out : n.outputs()) {
                outputs.add(out == null ? null : out.isGraphOutput() && target.value(out.name()) == null
                        ? out.name() : target.freshValueName(out.name()));
            }
            Node added = target.addNode(n.opType(), n.domain(), target.freshNodeName(n.name()), inputs, outputs,
                    n.attributes().values().toArray(new Attribute[0]));
            for (int i = 0; i < n.outputs().size(); i++) {
                Value out = n.output(i);
                if (out != null) {
                    added.output(i).setInfo(out.info());
                    copied.put(out, added.output(i));
                }
            }
        }
        List<String> tapped = new ArrayList<>();
        for (String name : result.added()) {
            Value v = copied.get(source.value(name));
            if (v != null && !v.name().equals(name) && target.output(name) != null) {
                // The patched model carries this tap already (patch --taps): the same computation.
                tapped.add(name);
                continue;
            }
            if (v == null || !v.name().equals(name)) {
                throw new BadInputException("the patched model already has a tensor " + name + "; validate adds a tap "
                        + "of that name");
            }
            target.addOutput(v);
            tapped.add(name);
        }
        target.topologicalSort();
        return tapped;
    }
}
