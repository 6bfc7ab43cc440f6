package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Domains;
import java.util.ArrayList;
import java.util.List;

/**
 * The int4 pass the onnxruntime-genai builder runs on its float model (ONNX Runtime's
 * {@code MatMulNBitsQuantizer} with the builder's defaults: block size 32, symmetric, accuracy
 * level 4 for the CPU, every MatMul by a constant matrix, the lm_head included). Each such MatMul
 * becomes {@code com.microsoft:MatMulNBits(A, B, scales)} named {@code {node}_Q4} with the
 * MatMul's output name, and attributes {@code K}, {@code N}, {@code bits=4}, {@code block_size},
 * {@code accuracy_level}:
 * <ul>
 *   <li>{@code B} {@code {W}_Q4}, uint8 {@code [N, ceil(K/32), 16]}: column n's weights in blocks of 32
 *       along K (the last block padded with zeros), two per byte, the even one in the low nibble;</li>
 *   <li>{@code scales} {@code {W}_scales}, {@code [N * ceil(K/32)]} in the weight's float type: per
 *       block, the block's value of largest magnitude (with its sign) over -8, so that value maps to
 *       the code 0 exactly;</li>
 *   <li>no {@code zero_points}: symmetric codes are {@code round(w / scale) + 8}, clipped to 0..15, and
 *       dequantize as {@code (code - 8) * scale}.</li>
 * </ul>
 */
final class Int4Quantizer {
    static final int BLOCK_SIZE = 32;
    static final int ACCURACY_LEVEL = 4;

    private Int4Quantizer() {
    }

    static void quantize(QuantGraph g) {
        quantize(g, ACCURACY_LEVEL);
    }

    /** With {@code accuracyLevel} 0 (the attribute left out, as ORT's quantizer does) the product is computed in float. */
    static void quantize(QuantGraph g, int accuracyLevel) {
        List<NodeProto> out = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        for (NodeProto n : g.graph().getNodeList()) {
            TensorProto w = n.getOpType().equals("MatMul") && n.getDomain().isEmpty() && n.getInputCount() == 2
                    ? g.floatMatrix(n.getInput(1)) : null;
            if (w == null) {
                out.add(n);
                continue;
            }
            int k = (int) w.getDims(0);
            int cols = (int) w.getDims(1);
            Blocks blocks = Blocks.of(QuantGraph.floats(w), k, cols);
            String packed = w.getName() + "_Q4";
            String scales = w.getName() + "_scales";
            g.addInitializer(QuantGraph.tensor(packed, DataType.UINT8,
                    new long[] {cols, blocks.perColumn(), BLOCK_SIZE / 2}, blocks.codes()));
            g.addInitializer(QuantGraph.floatTensor(scales, new long[] {(long) cols * blocks.perColumn()},
                    blocks.scales()));
            replaced.add(w.getName());
            NodeProto q = QuantGraph.node("MatMulNBits", Domains.MICROSOFT, n.getName() + "_Q4",
                    List.of(n.getInput(0), packed, scales), n.getOutputList(),
                    QuantGraph.intAttribute("K", k), QuantGraph.intAttribute("N", cols),
                    QuantGraph.intAttribute("bits", 4), QuantGraph.intAttribute("block_size", BLOCK_SIZE));
            out.add(accuracyLevel == 0 ? q
                    : q.toBuilder().addAttribute(QuantGraph.intAttribute("accuracy_level", accuracyLevel)).build());
        }
        g.graph().clearNode().addAllNode(out);
        for (String w : replaced) {
            if (g.users(w) == 0) {
                g.removeInitializer(w);
            }
        }
    }

    /** One weight matrix {@code [K, N]} (row-major) as MatMulNBits blocks. */
    record Blocks(int perColumn, byte[] codes, float[] scales) {
        static Blocks of(float[] w, int k, int cols) {
            int perColumn = (k + BLOCK_SIZE - 1) / BLOCK_SIZE;
            byte[] codes = new byte[cols * perColumn * BLOCK_SIZE / 2];
            float[] scales = new float[cols * perColumn];
            for (int n = 0; n < cols; n++) {
                for (int b = 0; b < perColumn; b++) {
                    float extreme = 0;
                    for (int i = b * BLOCK_SIZE; i < Math.min(k, (b + 1) * BLOCK_SIZE); i++) {
                        float v = w[i * cols + n];
                        if (Math.abs(v) > Math.abs(extreme)) {
                            extreme = v;
                        }
                    }
                    float scale = extreme / -8f;
                    scales[n * perColumn + b] = scale;
                    int base = (n * perColumn + b) * BLOCK_SIZE / 2;
                    for (int j = 0; j < BLOCK_SIZE; j++) {
                        int i = b * BLOCK_SIZE + j;
                        int code = i < k && scale != 0 ? code(w[i * cols + n], scale) : 8;
                        codes[base + j / 2] |= (byte) (j % 2 == 0 ? code : code << 4);
                    }
                }
            }
            return new Blocks(perColumn, codes, scales);
        }

        private static int code(float v, float scale) {
            return Math.max(0, Math.min(15, Math.round(v / scale) + 8));
        }

        /** The value a code stands for, as MatMulNBits computes it. */
        float dequantized(int n, int i) {
            int b = i / BLOCK_SIZE;
            int j = i % BLOCK_SIZE;
            int packed = codes[(n * perColumn + b) * BLOCK_SIZE / 2 + j / 2] & 0xff;
            int code = j % 2 == 0 ? packed & 0xf : packed >> 4;
            return (code - 8) * scales[n * perColumn + b];
        }
    }
}
