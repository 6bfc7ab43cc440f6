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
 * With {@code int4_is_symmetric=false} the builder's pass writes {@code {W}_zero_points} too
 * (uint8, two per byte, {@code [N * ceil(blocks/2)]}), and the scale maps the block's range
 * (widened to hold 0) onto the 16 codes.
 */
final class Int4Quantizer {
    static final int BLOCK_SIZE = 32;
    static final int ACCURACY_LEVEL = 4;

    private Int4Quantizer() {
    }

    static void quantize(QuantGraph g) {
        quantize(g, ACCURACY_LEVEL, true);
    }

    /**
     * With {@code accuracyLevel} 0 (the attribute left out, as ORT's quantizer does) the product is
     * computed in float. {@code symmetric} false is the builder's {@code int4_is_symmetric=false}:
     * each block gets its own zero point, written as {@code {W}_zero_points}.
     */
    static void quantize(QuantGraph g, int accuracyLevel, boolean symmetric) {
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
            Blocks blocks = Blocks.of(QuantGraph.floats(w), k, cols, symmetric);
            String packed = w.getName() + "_Q4";
            String scales = w.getName() + "_scales";
            g.addInitializer(QuantGraph.tensor(packed, DataType.UINT8,
                    new long[] {cols, blocks.perColumn(), BLOCK_SIZE / 2}, blocks.codes()));
            g.addInitializer(QuantGraph.floatTensor(scales, new long[] {(long) cols * blocks.perColumn()},
                    blocks.scales()));
            replaced.add(w.getName());
            List<String> inputs = new ArrayList<>(List.of(n.getInput(0), packed, scales));
            if (!symmetric) {
                String zeros = w.getName() + "_zero_points";
                g.addInitializer(QuantGraph.tensor(zeros, DataType.UINT8,
                        new long[] {(long) cols * ((blocks.perColumn() + 1) / 2)}, blocks.packedZeroPoints()));
                inputs.add(zeros);
            }
            NodeProto q = QuantGraph.node("MatMulNBits", Domains.MICROSOFT, n.getName() + "_Q4",
                    inputs, n.getOutputList(),
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

    /**
     * The builder's int4 embedding: the Gather of the float table becomes
     * {@code com.microsoft:GatherBlockQuantized(data, indices, scales)} with the Gather's output name,
     * {@code gather_axis=0}, {@code quantize_axis=1}, {@code bits=4}, {@code block_size=32}. Each row
     * (a token's embedding) is quantized in blocks of 32 exactly as a MatMulNBits column:
     * {@code {W}_Q4} uint8 {@code [vocab, hidden/2]} (low nibble first), {@code {W}_scales}
     * {@code [vocab, hidden/32]}, symmetric, so no zero points (the kernel's default for packed uint8 is 8).
     */
    static void quantizeEmbedding(QuantGraph g) {
        List<NodeProto> out = new ArrayList<>();
        String replaced = null;
        for (NodeProto n : g.graph().getNodeList()) {
            TensorProto w = replaced == null && n.getOpType().equals("Gather") && n.getDomain().isEmpty()
                    && n.getInputCount() == 2 ? g.floatMatrix(n.getInput(0)) : null;
            if (w == null) {
                out.add(n);
                continue;
            }
            int vocab = (int) w.getDims(0);
            int hidden = (int) w.getDims(1);
            if (hidden % BLOCK_SIZE != 0) {
                throw new IllegalArgumentException("the embedding width " + hidden + " is not a multiple of the block size "
                        + BLOCK_SIZE + ": GatherBlockQuantized has no padding");
            }
            float[] table = QuantGraph.floats(w);
            float[] columns = new float[table.length];
            for (int v = 0; v < vocab; v++) {
                for (int i = 0; i < hidden; i++) {
                    columns[i * vocab + v] = table[v * hidden + i];
                }
            }
            Blocks blocks = Blocks.of(columns, hidden, vocab, true);
            String packed = w.getName() + "_Q4";
            String scales = w.getName() + "_scales";
            g.addInitializer(QuantGraph.tensor(packed, DataType.UINT8, new long[] {vocab, hidden / 2}, blocks.codes()));
            g.addInitializer(QuantGraph.floatTensor(scales, new long[] {vocab, blocks.perColumn()}, blocks.scales()));
            out.add(QuantGraph.node("GatherBlockQuantized", Domains.MICROSOFT,
                    n.getName().replaceAll("Gather$", "GatherBlockQuantized"),
                    List.of(packed, n.getInput(1), scales), n.getOutputList(),
                    QuantGraph.intAttribute("gather_axis", 0), QuantGraph.intAttribute("quantize_axis", 1),
                    QuantGraph.intAttribute("bits", 4), QuantGraph.intAttribute("block_size", BLOCK_SIZE)));
            replaced = w.getName();
        }
        if (replaced == null) {
            throw new IllegalArgumentException("no Gather of a float table to quantize as the embedding");
        }
        g.graph().clearNode().addAllNode(out);
        if (g.users(replaced) == 0) {
            g.removeInitializer(replaced);
        }
    }

    /**
     * One weight matrix {@code [K, N]} (row-major) as MatMulNBits blocks; {@code zeroPoints} per
     * block (8 for every block when symmetric).
     */
    record Blocks(int perColumn, byte[] codes, float[] scales, int[] zeroPoints) {
        static Blocks of(float[] w, int k, int cols) {
            return of(w, k, cols, true);
        }

        static Blocks of(float[] w, int k, int cols, boolean symmetric) {
            int perColumn = (k + BLOCK_SIZE - 1) / BLOCK_SIZE;
            byte[] codes = new byte[cols * perColumn * BLOCK_SIZE / 2];
            float[] scales = new float[cols * perColumn];
            int[] zeroPoints = new int[cols * perColumn];
            for (int n = 0; n < cols; n++) {
                for (int b = 0; b < perColumn; b++) {
                    float extreme = 0;
                    float lo = 0;
                    float hi = 0;
                    for (int i = b * BLOCK_SIZE; i < Math.min(k, (b + 1) * BLOCK_SIZE); i++) {
                        float v = w[i * cols + n];
                        if (Math.abs(v) > Math.abs(extreme)) {
                            extreme = v;
                        }
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                    // Symmetric: the signed extreme maps to code 0. Asymmetric: [min(lo, 0), max(hi, 0)] onto 0..15.
                    float scale = symmetric ? extreme / -8f : (hi - lo) / 15f;
                    int zero = symmetric || scale == 0 ? 8 : Math.max(0, Math.min(15, Math.round(-lo / scale)));
                    int block = n * perColumn + b;
                    scales[block] = scale;
                    zeroPoints[block] = zero;
                    int base = block * BLOCK_SIZE / 2;
                    for (int j = 0; j < BLOCK_SIZE; j++) {
                        int i = b * BLOCK_SIZE + j;
                        int code = i < k && scale != 0 ? code(w[i * cols + n], scale, zero) : zero;
                        codes[base + j / 2] |= (byte) (j % 2 == 0 ? code : code << 4);
                    }
                }
            }
            return new Blocks(perColumn, codes, scales, zeroPoints);
        }

        private static int code(float v, float scale, int zero) {
            return Math.max(0, Math.min(15, Math.round(v / scale) + zero));
        }

        /** Zero points two to a byte, low nibble first, each column starting on a new byte. */
        byte[] packedZeroPoints() {
            int stride = (perColumn + 1) / 2;
            byte[] packed = new byte[zeroPoints.length / perColumn * stride];
            for (int block = 0; block < zeroPoints.length; block++) {
                int n = block / perColumn;
                int b = block % perColumn;
                packed[n * stride + b / 2] |= (byte) (b % 2 == 0 ? zeroPoints[block] : zeroPoints[block] << 4);
            }
            return packed;
        }

        /** The value a code stands for, as MatMulNBits computes it. */
        float dequantized(int n, int i) {
            int b = i / BLOCK_SIZE;
            int j = i % BLOCK_SIZE;
            int block = n * perColumn + b;
            int packed = codes[block * BLOCK_SIZE / 2 + j / 2] & 0xff;
            int code = j % 2 == 0 ? packed & 0xf : packed >> 4;
            return (code - zeroPoints[block]) * scales[block];
        }
    }
}
