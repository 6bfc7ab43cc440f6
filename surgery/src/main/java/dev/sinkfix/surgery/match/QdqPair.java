package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;

/**
 * A {@code QuantizeLinear} followed by a {@code DequantizeLinear}: how QDQ (static) quantization
 * marks an activation as int8. The pair only rounds the tensor; the meaning is the float tensor
 * before it, so the matcher looks through it like a Cast.
 */
final class QdqPair {
    private QdqPair() {
    }

    /** {@code x} when {@code v = DequantizeLinear(QuantizeLinear(x))}, else {@code v}. */
    static Value floatBefore(Value v) {
        Node dq = v == null ? null : v.producer();
        if (dq == null || !dq.isStandard("DequantizeLinear") || dq.input(0) == null) {
            return v;
        }
        Node q = dq.input(0).producer();
        if (q == null || !q.isStandard("QuantizeLinear") || q.input(0) == null) {
            return v;
        }
        return q.input(0);
    }

    /** The DequantizeLinear output when {@code use} is a QuantizeLinear read only by one, else null. */
    static Value floatAfter(Use use) {
        Node q = use.node();
        if (!q.isStandard("QuantizeLinear") || use.index() != 0 || q.output(0) == null
                || q.output(0).uses().size() != 1) {
            return null;
        }
        Use next = q.output(0).uses().get(0);
        Node dq = next.node();
        return dq.isStandard("DequantizeLinear") && next.index() == 0 ? dq.output(0) : null;
    }
}
