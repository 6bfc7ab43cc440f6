package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Tells weights from activations: a value is constant when it is an initializer, a
 * {@code Constant}, or computed only from constants (a {@code Transpose} of a weight, a
 * {@code DequantizeLinear} of int4 blocks, a {@code Cast}).
 */
final class Constants {
    private final Map<Value, Boolean> memo = new IdentityHashMap<>();

    boolean isConstant(Value v) {
        if (v == null) {
            return true;
        }
        Boolean known = memo.get(v);
        if (known != null) {
            return known;
        }
        memo.put(v, false);
        boolean result;
        if (v.isInitializer()) {
            // Old files list every initializer as an input too; a weight is still a weight.
            result = true;
        } else if (v.producer() == null) {
            // No producer and not an input: a sparse initializer.
            result = !v.isGraphInput();
        } else {
            Node p = v.producer();
            result = !p.opType().equals("Shape") && !p.opType().equals("Size")
                    && p.inputs().stream().allMatch(this::isConstant);
        }
        memo.put(v, result);
        return result;
    }

    /** The initializer a constant comes from, looking through single-input ops; null if none. */
    static Tensor backingTensor(Value v) {
        for (int depth = 0; v != null && depth < 8; depth++) {
            if (v.isInitializer()) {
                return v.initializer();
            }
            Node p = v.producer();
            if (p == null) {
                return null;
            }
            if (p.isStandard("Constant") && p.attribute("value") != null) {
                return p.attribute("value").t();
            }
            v = p.input(0);
        }
        return null;
    }

    /** Whether the path from the weight's initializer to {@code v} transposes it. */
    static boolean transposedOnTheWay(Value v) {
        for (int depth = 0; v != null && depth < 8 && !v.isInitializer(); depth++) {
            Node p = v.producer();
            if (p == null) {
                return false;
            }
            if (p.isStandard("Transpose")) {
                return true;
            }
            v = p.input(0);
        }
        return false;
    }
}
