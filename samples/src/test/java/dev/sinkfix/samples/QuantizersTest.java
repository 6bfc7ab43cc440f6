package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.ModelImporter;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each quantizer on one MatMul, against plain Java: ONNX Runtime's result must be the product
 * with the weights as the quantizer stored them, far closer than to the float product. A wrong
 * nibble order, block layout, padding or scale sign would put it as far off as the float one.
 */
class QuantizersTest {
    private static final int K = 176;
    private static final int N = 40;

    @TempDir
    Path dir;

    @Test
    void matMulNBitsComputesTheProductWithTheStoredInt4Weights() throws Exception {
        float[] w = matrix(7);
        Int4Quantizer.Blocks blocks = Int4Quantizer.Blocks.of(w, K, N);
        float[] dequantized = new float[K * N];
        for (int i = 0; i < K; i++) {
            for (int n = 0; n < N; n++) {
                dequantized[i * N + n] = blocks.dequantized(n, i);
                float step = Math.abs(blocks.scales()[n * blocks.perColumn() + i / Int4Quantizer.BLOCK_SIZE]);
                // Symmetric codes reach -8 steps but only +7: the far end on the other side clips by one step.
                float allowed = Math.abs(Math.abs(dequantized[i * N + n] / step) - 7) < 1e-3 ? step : step / 2;
                assertTrue(Math.abs(dequantized[i * N + n] - w[i * N + n]) <= allowed + 1e-6f,
                        "weight " + i + "," + n + " is " + w[i * N + n] + ", its code stands for "
                                + dequantized[i * N + n] + " (step " + step + ")");
            }
        }
        float[] x = matrix(2, K, 11);
        // Accuracy level 0: the product in float, so ORT's result is the stored weights' product to float rounding.
        float[] y = run(w, x, g -> Int4Quantizer.quantize(g, 0, true), "MatMulNBits");
        assertCloser(y, product(x, dequantized), product(x, w), 1e-5f);
        // The sample's level 4 rounds the activations to int8 per block as well: about 1% of the product.
        float[] level4 = run(w, x, Int4Quantizer::quantize, "MatMulNBits");
        assertCloser(level4, product(x, dequantized), product(x, w), 0.02f);
    }

    /** {@code int4_is_symmetric=false}: per-block zero points, packed two to a byte per column. */
    @Test
    void matMulNBitsWithZeroPointsComputesTheProductWithTheStoredWeights() throws Exception {
        float[] w = matrix(9);
        for (int i = 0; i < w.length; i++) {
            w[i] += 0.4f;
        }
        Int4Quantizer.Blocks blocks = Int4Quantizer.Blocks.of(w, K, N, false);
        float[] dequantized = new float[K * N];
        boolean shifted = false;
        for (int i = 0; i < K; i++) {
            for (int n = 0; n < N; n++) {
                dequantized[i * N + n] = blocks.dequantized(n, i);
                float step = Math.abs(blocks.scales()[n * blocks.perColumn() + i / Int4Quantizer.BLOCK_SIZE]);
                assertTrue(Math.abs(dequantized[i * N + n] - w[i * N + n]) <= step / 2 + 1e-5f,
                        "weight " + i + "," + n + " is within half a step of its code");
            }
        }
        for (int z : blocks.zeroPoints()) {
            shifted |= z != 8;
        }
        assertTrue(shifted, "the weights are off-centre, so some zero point is not 8");
        float[] x = matrix(2, K, 13);
        float[] y = run(w, x, g -> Int4Quantizer.quantize(g, 0, false), "MatMulNBits");
        assertCloser(y, product(x, dequantized), product(x, w), 1e-5f);
    }

    @Test
    void dynamicInt8ComputesTheProductWithTheStoredInt8Weights() throws Exception {
        float[] w = matrix(8);
        float[] x = matrix(2, K, 12);
        float[] y = run(w, x, DynamicInt8Quantizer::quantize, "MatMulInteger");
        float absMax = 0;
        for (float v : w) {
            absMax = Math.max(absMax, Math.abs(v));
        }
        float scale = absMax / 127f;
        float[] stored = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            stored[i] = (float) Math.rint(w[i] / scale) * scale;
        }
        // DynamicQuantizeLinear: one uint8 scale over the whole input, its range widened to hold 0.
        float lo = 0;
        float hi = 0;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float xScale = (hi - lo) / 255f;
        float zeroPoint = (float) Math.max(0, Math.min(255, Math.rint(-lo / xScale)));
        float[] xStored = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xStored[i] = ((float) Math.max(0, Math.min(255, Math.rint(x[i] / xScale) + zeroPoint)) - zeroPoint) * xScale;
        }
        assertCloser(y, product(xStored, stored), product(x, w), 1e-5f);
    }

    /** The builder's int4 embedding: ORT's rows are the table as its blocks store it (symmetric, zero point 8). */
    @Test
    void gatherBlockQuantizedGathersTheStoredInt4Rows() throws Exception {
        float[] table = matrix(EMBED_ROWS, EMBED_WIDTH, 9);
        float[] columns = new float[table.length];
        for (int v = 0; v < EMBED_ROWS; v++) {
            for (int i = 0; i < EMBED_WIDTH; i++) {
                columns[i * EMBED_ROWS + v] = table[v * EMBED_WIDTH + i];
            }
        }
        Int4Quantizer.Blocks blocks = Int4Quantizer.Blocks.of(columns, EMBED_WIDTH, EMBED_ROWS);
        float[] y = gather(table, Int4Quantizer::quantizeEmbedding, "GatherBlockQuantized");
        assertCloser(y, rows((v, i) -> blocks.dequantized(v, i)), rows((v, i) -> table[v * EMBED_WIDTH + i]), 1e-6f);
    }

    /** {@code quantize_dynamic} with Gather: int8 rows behind DequantizeLinear with the table's one scale. */
    @Test
    void dynamicInt8GatherReadsTheStoredInt8Table() throws Exception {
        float[] table = matrix(EMBED_ROWS, EMBED_WIDTH, 10);
        float absMax = 0;
        for (float v : table) {
            absMax = Math.max(absMax, Math.abs(v));
        }
        float scale = absMax / 127f;
        float[] y = gather(table, g -> DynamicInt8Quantizer.quantize(g, true), "DequantizeLinear");
        assertCloser(y, rows((v, i) -> (float) Math.rint(table[v * EMBED_WIDTH + i] / scale) * scale),
                rows((v, i) -> table[v * EMBED_WIDTH + i]), 1e-6f);
    }

    private static final int EMBED_ROWS = 40;
    private static final int EMBED_WIDTH = 64;
    private static final long[] IDS = {3, 0, 39, 17};

    /** Element {@code i} of table row {@code v}. */
    private interface TableEntry {
        float at(int v, int i);
    }

    /** The rows {@link #IDS} picks, one after another. */
    private static float[] rows(TableEntry entry) {
        float[] out = new float[IDS.length * EMBED_WIDTH];
        for (int t = 0; t < IDS.length; t++) {
            for (int i = 0; i < EMBED_WIDTH; i++) {
                out[t * EMBED_WIDTH + i] = entry.at((int) IDS[t], i);
            }
        }
        return out;
    }

    private float[] gather(float[] table, Consumer<QuantGraph> quantizer, String expectedOp) throws Exception {
        GraphBuilder b = GraphBuilder.create(NamingScheme.genaiBuilder(), 17).importDomain(Domains.MICROSOFT, 1);
        Value ids = b.input("input_ids", DataType.INT64, Dim.named("batch"), Dim.named("sequence"));
        Value weight = b.initializer("model.embed_tokens.weight", DataType.FLOAT, new long[] {EMBED_ROWS, EMBED_WIDTH},
                table);
        b.scope("/model/embed_tokens");
        Value out = b.opNamed("y", "Gather", java.util.List.of(weight, ids));
        b.output(out, DataType.FLOAT, Dim.named("batch"), Dim.named("sequence"), Dim.of(EMBED_WIDTH));
        ModelProto.Builder proto = ModelExporter.export(b.model(8)).toBuilder();
        quantizer.accept(new QuantGraph(proto.getGraphBuilder()));
        assertTrue(proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).anyMatch(expectedOp::equals));
        assertTrue(proto.getGraph().getInitializerList().stream()
                .noneMatch(t -> t.getName().equals("model.embed_tokens.weight")), "the float table is gone");
        Path file = dir.resolve(expectedOp + "-" + java.util.UUID.randomUUID() + ".onnx");
        ModelSaver.create().save(ModelImporter.importModel(proto.build(), null), file);
        try (OrtRunner runner = new OrtRunner(file)) {
            return Tolerance.floats(runner.run(Map.of(), Map.of("input_ids", new long[][] {IDS})).get("y"));
        }
    }

    private float[] run(float[] w, float[] x, Consumer<QuantGraph> quantizer, String expectedOp) throws Exception {
        GraphBuilder b = GraphBuilder.create(NamingScheme.genaiBuilder(), 17).importDomain(Domains.MICROSOFT, 1);
        Value in = b.input("x", DataType.FLOAT, Dim.named("rows"), Dim.of(K));
        Value weight = b.initializer("proj.MatMul.weight", DataType.FLOAT, new long[] {K, N}, w);
        b.scope("/model/proj");
        Value out = b.opNamed("y", "MatMul", java.util.List.of(in, weight));
        b.output(out, DataType.FLOAT, Dim.named("rows"), Dim.of(N));
        ModelProto.Builder proto = ModelExporter.export(b.model(8)).toBuilder();
        quantizer.accept(new QuantGraph(proto.getGraphBuilder()));
        assertTrue(proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).anyMatch(expectedOp::equals));
        assertTrue(proto.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().equals("proj.MatMul.weight")),
                "the float weight is gone");
        Path file = dir.resolve(expectedOp + "-" + java.util.UUID.randomUUID() + ".onnx");
        ModelSaver.create().save(ModelImporter.importModel(proto.build(), null), file);
        try (OrtRunner runner = new OrtRunner(file)) {
            return Tolerance.floats(runner.run(Map.of("x", new HostTensor(DataType.FLOAT, new long[] {2, K}, x))).get("y"));
        }
    }

    /** {@code actual} is within {@code relative} of {@code stored} (the largest magnitude) and nearer to it than to {@code exact}. */
    private static void assertCloser(float[] actual, float[] stored, float[] exact, float relative) {
        float scale = 0;
        float toStored = 0;
        float toExact = 0;
        for (int i = 0; i < actual.length; i++) {
            scale = Math.max(scale, Math.abs(stored[i]));
            toStored = Math.max(toStored, Math.abs(actual[i] - stored[i]));
            toExact = Math.max(toExact, Math.abs(actual[i] - exact[i]));
        }
        assertTrue(toStored <= relative * scale, "ORT differs from the product with the stored weights by "
                + toStored + " (largest value " + scale + ")");
        assertTrue(toStored < toExact / 2, "ORT is not nearer the stored weights (" + toStored + ") than the float ones ("
                + toExact + "): the stored weights are not what it computes with");
        assertEquals(stored.length, actual.length);
    }

    private static float[] product(float[] x, float[] w) {
        int rows = x.length / K;
        float[] y = new float[rows * N];
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < N; n++) {
                double s = 0;
                for (int i = 0; i < K; i++) {
                    s += (double) x[r * K + i] * w[i * N + n];
                }
                y[r * N + n] = (float) s;
            }
        }
        return y;
    }

    private static float[] matrix(long seed) {
        return matrix(K, N, seed);
    }

    private static float[] matrix(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] m = new float[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (random.nextDouble() * 2 - 1) * (i % 7 == 0 ? 3 : 1);
        }
        return m;
    }
}
