package dev.sinkfix.validator;

import dev.sinkfix.surgery.ir.DataType;

/**
 * How close the outputs of two runs must be, per dtype. The site checks need none: the patch
 * copies values, so they compare {@link Tolerance#EXACT}.
 *
 * <p>Measured on the test suite's models with ONNX Runtime 1.23 on CPU (logits of magnitude up
 * to about 4; the real export's are smaller):
 * <ul>
 *   <li>outputs up to the capture position, original against patched: no difference at all,
 *       with graph optimisation off, BASIC or ALL;</li>
 *   <li>one call against a prefill and decode steps: at most 2.2e-6 in fp32, 2.9e-3 in fp16
 *       (one or two fp16 ulps at that magnitude).</li>
 * </ul>
 */
public final class Tolerances {
    private Tolerances() {
    }

    /**
     * Invariant 1: the original and the patched model, same inputs, tokens that cannot see a
     * pinned value. The layers up to there are the same nodes on the same inputs, which is why
     * they match bit for bit on CPU; a few ulps in the model's dtype are allowed because ONNX
     * Runtime may choose another kernel or fusion once a graph differs (the site gains readers,
     * which blocks fusions on GPU providers), and GPU reductions need not be deterministic.
     */
    public static Tolerance unchanged(DataType dtype) {
        return switch (dtype) {
            case FLOAT16 -> new Tolerance(1e-3, 2e-3);
            case BFLOAT16 -> new Tolerance(8e-3, 1.6e-2);
            default -> new Tolerance(1e-6, 1e-6);
        };
    }

    /**
     * Invariant 2: one call against several calls of one sequence. The calls have other shapes,
     * so matrix products are blocked and attention is split differently and rounds differently;
     * in half precision every intermediate is rounded to the dtype's few bits and the differences
     * add up over the layers. About ten times the fp32 measurement, three times the fp16 one.
     */
    public static Tolerance acrossCalls(DataType dtype) {
        return switch (dtype) {
            case FLOAT16 -> new Tolerance(1e-2, 5e-3);
            case BFLOAT16 -> new Tolerance(6e-2, 3e-2);
            default -> new Tolerance(2e-5, 1e-5);
        };
    }
}
