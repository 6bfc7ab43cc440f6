package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.io.TensorValues;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.GatedMlp;
import dev.sinkfix.surgery.match.Linear;
import java.io.IOException;
import java.util.List;

/**
 * How hard each MLP neuron writes into the residual stream: the L2 norm of its row of
 * {@code down_proj} (neuron k's output is {@code act_k * W_down[k, :]}). Only that one weight is
 * read. {@code norms} is null, with the reason, where the weight is not a plain float tensor
 * (int4 blocks, int8 with scales): the score is then the activation alone.
 */
record WriteNorms(float[] norms, String note) {

    static WriteNorms of(Model model, GatedMlp mlp) throws IOException {
        Linear down = mlp.down();
        Node node = down.node();
        if (!node.isStandard("MatMul") && !node.isStandard("Gemm") && !node.opType().equals("FusedMatMul")) {
            return new WriteNorms(null, "down_proj is a " + node.opType() + ": its weight is not read, neurons "
                    + "are scored by their activation alone");
        }
        boolean transposed = node.intAttribute("transB", 0) != 0;
        Value w = node.input(1);
        for (int depth = 0; depth < 8 && w != null && !w.isInitializer(); depth++) {
            Node p = w.producer();
            if (p == null) {
                break;
            }
            if (p.isStandard("Transpose")) {
                transposed = !transposed;
            } else if (p.isStandard("Constant") && p.attribute("value") != null) {
                return fromTensor(model, p.attribute("value").t(), transposed, mlp.intermediateSize());
            } else if (!p.isStandard("Cast") && !p.isStandard("Identity")) {
                return new WriteNorms(null, "down_proj's weight comes from a " + p.opType() + " (" + p.name()
                        + "): it is not read, neurons are scored by their activation alone");
            }
            w = p.input(0);
        }
        if (w == null || !w.isInitializer()) {
            return new WriteNorms(null, "down_proj's weight is not an initializer: neurons are scored by their "
                    + "activation alone");
        }
        return fromTensor(model, w.initializer(), transposed, mlp.intermediateSize());
    }

    private static WriteNorms fromTensor(Model model, Tensor t, boolean transposed, long width) throws IOException {
        List<Long> dims = t.dims();
        if (dims.size() != 2) {
            return new WriteNorms(null, "down_proj's weight has shape " + dims + ", not 2-D: neurons are scored by "
                    + "their activation alone");
        }
        // MatMul computes x W with W [in, out]: a neuron is a row; a transposed weight holds it as a column.
        int neurons = (int) (long) dims.get(transposed ? 1 : 0);
        int other = (int) (long) dims.get(transposed ? 0 : 1);
        if (width > 0 && neurons != width) {
            return new WriteNorms(null, "down_proj's weight " + dims + " has no axis of the MLP's " + width
                    + " neurons where expected: neurons are scored by their activation alone");
        }
        float[] values = TensorValues.read(t, model.baseDir());
        double[] sums = new double[neurons];
        for (int i = 0; i < dims.get(0); i++) {
            for (int j = 0; j < dims.get(1); j++) {
                float v = values[i * (int) (long) dims.get(1) + j];
                sums[transposed ? j : i] += (double) v * v;
            }
        }
        float[] norms = new float[neurons];
        for (int k = 0; k < neurons; k++) {
            norms[k] = (float) Math.sqrt(sums[k]);
        }
        return new WriteNorms(norms, "down_proj row norms read from '" + t.name() + "' (" + neurons + " x " + other + ")");
    }

    /** The write norm of neuron k, or 1 where the weight could not be read. */
    double of(int k) {
        return norms == null ? 1.0 : norms[k];
    }
}
