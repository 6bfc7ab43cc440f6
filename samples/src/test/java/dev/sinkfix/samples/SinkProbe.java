package dev.sinkfix.samples;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sample with the tensors a sink probe looks at added as graph outputs, found by the matcher
 * (so by structure, in any style): layer 0's attention output, the sink layer's {@code up} site
 * and the residual stream after layers 0 and {@link SinkSample#LAYER}. The genai style writes no
 * residual sum after its last layer, so that one is summed here from the residual before the
 * layer and the layer's attention and MLP outputs, the same way in every style.
 */
final class SinkProbe implements AutoCloseable {
    static final String TAPS_FILE = "model.taps.onnx";

    private final SampleSpec spec;
    private final DecoderRunner runner;
    private final String attention0;
    private final String up;
    private final String residual0;
    private final String attentionL;
    private final String mlpL;
    private final String residualBeforeL;
    /** The patched model's sink-state input, null unpatched. */
    private final String state;

    /** Per position (one row, no padding) of one prefill. */
    record Taps(long[] tokens, float[][] attention0, float[][] up, float[][] residual0, float[][] residual,
                float[][] logits) {
        float up(int position, int neuron) {
            return up[position][neuron];
        }

        double residualNorm(int position) {
            return norm(residual[position]);
        }
    }

    SinkProbe(String preset, Path dir) throws Exception {
        this(preset, dir, false);
    }

    /**
     * With {@code patched}, the model first gets the poster's patch of {@link SinkSample#NEURONS}
     * at the {@code up} site (capture position 1), and the {@code up} tap reads the patched site.
     */
    SinkProbe(String preset, Path dir, boolean patched) throws Exception {
        this.spec = Samples.preset(preset);
        Path original = Samples.write(spec, dir);
        Model model = ModelLoader.load(original);
        Decoder d = DecoderMatcher.match(model);
        DecoderLayer first = d.layer(0);
        DecoderLayer sink = d.layer(SinkSample.LAYER);
        DecoderLayer before = d.layer(SinkSample.LAYER - 1);
        Graph g = model.graph();
        DataType dt = spec.dtype().dataType();
        attention0 = tap(g, first.attentionOutput(), dt);
        Value upSite = sink.site(MlpSite.UP);
        if (patched) {
            SinkPatch.LayerResult r = SinkPatch.apply(model, d,
                    List.of(new SinkSpec(SinkSample.LAYER, SinkSample.NEURONS, MlpSite.UP, 1)), "test").get(0);
            upSite = g.value(r.patchedSite());
            state = r.stateInput();
        } else {
            state = null;
        }
        up = tap(g, upSite, dt);
        residual0 = tap(g, first.residualAfter().value(), dt);
        residualBeforeL = tap(g, before.residualAfter().value(), dt);
        attentionL = tap(g, sink.attentionOutput(), dt);
        mlpL = tap(g, sink.mlpOutput(), dt);
        Path taps = original.resolveSibling(TAPS_FILE);
        ModelSaver.create().overwrite(true).save(model, taps);
        this.runner = new DecoderRunner(spec, taps);
    }

    SampleSpec spec() {
        return spec;
    }

    Taps run(long... tokens) throws Exception {
        return run(new long[][] {tokens})[0];
    }

    /** One prefill of several rows of the same length (no padding), one {@link Taps} per row. */
    Taps[] run(long[][] rows) throws Exception {
        int b = rows.length;
        int n = rows[0].length;
        long[][] mask = new long[b][];
        long[][] positions = new long[b][];
        for (int r = 0; r < b; r++) {
            mask[r] = SmallPresets.ones(n);
            positions[r] = SmallPresets.range(0, n);
        }
        Map<String, HostTensor> extra = new LinkedHashMap<>();
        if (state != null) {
            int k = SinkSample.NEURONS.size();
            extra.put(state, HostTensor.zeros(spec.dtype() == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT, b, k));
        }
        Map<String, HostTensor> out = runner.outputs(rows, mask, positions, runner.emptyCache(b), extra);
        Taps[] taps = new Taps[b];
        for (int r = 0; r < b; r++) {
            float[][] before = rows(out.get(residualBeforeL), b, n, r);
            float[][] attention = rows(out.get(attentionL), b, n, r);
            float[][] mlp = rows(out.get(mlpL), b, n, r);
            float[][] residual = new float[n][];
            for (int t = 0; t < n; t++) {
                residual[t] = new float[before[t].length];
                for (int i = 0; i < residual[t].length; i++) {
                    residual[t][i] = before[t][i] + attention[t][i] + mlp[t][i];
                }
            }
            taps[r] = new Taps(rows[r].clone(), rows(out.get(attention0), b, n, r), rows(out.get(up), b, n, r),
                    rows(out.get(residual0), b, n, r), residual, rows(out.get("logits"), b, n, r));
        }
        return taps;
    }

    /** BoS followed by {@code count} copies of {@code token}. */
    Taps repeats(long token, int count) throws Exception {
        long[] tokens = new long[count + 1];
        Arrays.fill(tokens, token);
        tokens[0] = SinkSample.BOS;
        return run(tokens);
    }

    /** BoS and {@code length - 1} seeded random tokens: a varied prompt. */
    long[] variedPrompt(int length, long seed) {
        long[] tokens = SmallPresets.tokens(spec, length, seed);
        tokens[0] = SinkSample.BOS;
        return tokens;
    }

    @Override
    public void close() throws Exception {
        runner.close();
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static String tap(Graph g, Value v, DataType dtype) {
        if (v == null) {
            throw new AssertionError("the matcher found no tensor to tap");
        }
        if (!v.isGraphOutput()) {
            v.setType(TensorType.of(dtype, Dim.unknown(), Dim.unknown(), Dim.unknown()));
            g.addOutput(v);
        }
        return v.name();
    }

    /** Row {@code row} of a {@code [batch, seq, width]} tensor as {@code seq} rows of floats. */
    private static float[][] rows(HostTensor t, int batch, int seq, int row) {
        if (t == null) {
            throw new AssertionError("a tap is missing from the outputs");
        }
        int width = t.values().length / (batch * seq);
        float[][] rows = new float[seq][width];
        for (int s = 0; s < seq; s++) {
            int base = (row * seq + s) * width;
            for (int i = 0; i < width; i++) {
                rows[s][i] = t.values()[base + i];
            }
        }
        return rows;
    }
}
