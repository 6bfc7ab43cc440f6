package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.TensorValues;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import java.io.IOException;
import java.nio.file.Path;

/**
 * stories260K on BoS alone, in plain Java from its weights, without ONNX Runtime, the matcher or
 * the taps: with one token, attention gives each head its own kv head's value (softmax over one
 * key is 1; rotation does not touch values), so the layer is
 * {@code x += o(v(norm(x)))}, {@code x += down(silu(gate(norm(x))) * up(norm(x)))}. Weights are
 * found by the node names of this one export (a test may know its model; the tool may not).
 */
final class PlainBos {
    static final int LAYERS = 5;
    static final int HIDDEN = 64;
    static final int HEADS = 8;
    static final int KV_HEADS = 4;
    static final int HEAD_DIM = 8;
    static final double EPS = 1e-5;

    /** Per layer: residual norm after it, MLP output norm. */
    record Norms(double[] resid, double[] mlp) {
    }

    private PlainBos() {
    }

    static Norms of(Path file, long bos) throws IOException {
        Model model = ModelLoader.load(file);
        Graph g = model.graph();
        float[] embed = read(model, g.value("model.embed_tokens.weight"));
        double[] x = new double[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) {
            x[i] = embed[(int) bos * HIDDEN + i];
        }
        double[] resid = new double[LAYERS];
        double[] mlpNorms = new double[LAYERS];
        for (int l = 0; l < LAYERS; l++) {
            String p = "/model/layers." + l;
            double[] h = rmsNorm(x, weightOf(model, p + "/input_layernorm/Mul_1"));
            double[] v = matmul(h, weight(model, p + "/self_attn/v_proj/MatMul"), KV_HEADS * HEAD_DIM);
            double[] heads = new double[HEADS * HEAD_DIM];
            for (int head = 0; head < HEADS; head++) {
                int kv = head / (HEADS / KV_HEADS);
                System.arraycopy(v, kv * HEAD_DIM, heads, head * HEAD_DIM, HEAD_DIM);
            }
            add(x, matmul(heads, weight(model, p + "/self_attn/o_proj/MatMul"), HIDDEN));
            double[] h2 = rmsNorm(x, weightOf(model, p + "/post_attention_layernorm/Mul_1"));
            float[] gateW = weight(model, p + "/mlp/gate_proj/MatMul");
            int width = gateW.length / HIDDEN;
            double[] gate = matmul(h2, gateW, width);
            double[] up = matmul(h2, weight(model, p + "/mlp/up_proj/MatMul"), width);
            double[] act = new double[width];
            for (int k = 0; k < width; k++) {
                act[k] = gate[k] / (1 + Math.exp(-gate[k])) * up[k];
            }
            double[] mlp = matmul(act, weight(model, p + "/mlp/down_proj/MatMul"), HIDDEN);
            add(x, mlp);
            mlpNorms[l] = norm(mlp);
            resid[l] = norm(x);
        }
        return new Norms(resid, mlpNorms);
    }

    private static float[] weight(Model model, String node) throws IOException {
        return read(model, nodeNamed(model.graph(), node).input(1));
    }

    /** The initializer input of a norm's weight multiplication. */
    private static float[] weightOf(Model model, String node) throws IOException {
        for (Value in : nodeNamed(model.graph(), node).inputs()) {
            if (in.isInitializer()) {
                return read(model, in);
            }
        }
        throw new IllegalStateException(node + " has no weight input");
    }

    private static Node nodeNamed(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("stories260K has no node " + name));
    }

    private static float[] read(Model model, Value v) throws IOException {
        return TensorValues.read(v.initializer(), model.baseDir());
    }

    private static double[] rmsNorm(double[] x, float[] w) {
        double sum = 0;
        for (double v : x) {
            sum += v * v;
        }
        double scale = 1 / Math.sqrt(sum / x.length + EPS);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * w[i];
        }
        return out;
    }

    /** {@code x W} with W {@code [x.length, out]} row-major, as the export stores it. */
    private static double[] matmul(double[] x, float[] w, int out) {
        if (w.length != x.length * out) {
            throw new IllegalStateException("weight of " + w.length + " values is not " + x.length + " x " + out);
        }
        double[] y = new double[out];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < out; j++) {
                y[j] += x[i] * w[i * out + j];
            }
        }
        return y;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
