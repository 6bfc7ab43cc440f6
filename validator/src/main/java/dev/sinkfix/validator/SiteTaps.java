package dev.sinkfix.validator;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;

/**
 * Makes inner tensors extra graph outputs, so a session returns them beside the logits: how the
 * checks read a site before and after the patch. Only the list of outputs changes; every node
 * computes what it did.
 */
public final class SiteTaps {
    private SiteTaps() {
    }

    /**
     * Exposes each named value once. A value the graph gives no type gets {@code dtype} with an
     * unknown shape, which is all ONNX Runtime needs of an output.
     */
    public static void expose(Model model, DataType dtype, String... names) {
        Graph graph = model.graph();
        for (String name : names) {
            Value v = graph.value(name);
            if (v == null) {
                throw new IllegalArgumentException("the graph has no tensor '" + name + "' to expose");
            }
            if (v.isGraphOutput()) {
                continue;
            }
            if (v.tensorType() == null || v.dtype() == DataType.UNDEFINED) {
                v.setType(new TensorType(dtype, null));
            }
            graph.addOutput(v);
        }
    }
}
