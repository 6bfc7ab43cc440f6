package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.GraphOptimization;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.samples.QuantizedSamples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Taps under ONNX Runtime: the model's own outputs stay bit-identical (graph optimisation off),
 * and each tap equals what it claims, computed here from the tensors it reads (exposed as plain
 * outputs of a second copy).
 */
class TapsTest {
    private static final List<Integer> NEURONS = List.of(3, 17);
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama-torch-fp16", "llama-genai-fp16", "llama-dynamo-fp32", "mistral-torch-fp32",
            SourceModels.REAL, QuantizedSamples.INT4, QuantizedSamples.INT8_DYNAMIC, QuantizedSamples.QDQ,
            QuantizedSamples.INT8_DYNAMIC_GATHER, QuantizedSamples.INT4_GATHER})
    void tapsShowWhatTheyNameAndChangeNothingElse(String name) throws Exception {
        Path source = SourceModels.model(name, tmp);
        boolean real = name.equals(SourceModels.REAL);
        Model original = ModelLoader.load(source);
        Decoder d = DecoderMatcher.match(original);

        // One copy carries the taps and, as plain outputs, the tensors they read: each tap is
        // checked against its own run. A second copy with taps only is compared with the original.
        Model tapped = ModelLoader.load(source);
        Taps.apply(tapped, DecoderMatcher.match(tapped), everything());
        Path tappedFile = save(tapped, source, "tapped.onnx");

        Model exposed = ModelLoader.load(source);
        Decoder e = DecoderMatcher.match(exposed);
        List<String> names = new ArrayList<>(List.of(e.embeddings().name()));
        List<String> probabilities = new ArrayList<>();
        for (DecoderLayer l : e.layers()) {
            names.add(l.attentionOutput().name());
            names.add(l.mlpOutput().name());
            names.add(l.site(MlpSite.UP).name());
            if (l.residualAfter().value() != null) {
                names.add(l.residualAfter().value().name());
            }
            if (l.attention().probabilities() != null) {
                probabilities.add(l.attention().probabilities().name());
            }
        }
        SiteTaps.expose(exposed, d.dtype(), names.toArray(String[]::new));
        // Probabilities may be fp32 in an fp16 model (softmax upcast): exposed with the type they have.
        probabilities.forEach(p -> exposed.graph().addOutput(exposed.graph().value(p)));
        Taps.Result result = Taps.apply(exposed, DecoderMatcher.match(exposed), everything());
        Path exposedFile = save(exposed, source, "exposed.onnx");

        StepInputs call = prompt(d, 9);
        // The real export refuses optimisation level DISABLE (a buffer-reuse error in its mask Range).
        GraphOptimization level = real ? GraphOptimization.BASIC : GraphOptimization.DISABLE;
        SessionConfig config = SessionConfig.defaults().withDevice(Device.CPU).withOptimization(level);
        Stepper.Step base;
        Stepper.Step withTaps;
        Stepper.Step reference;
        try (ModelSession a = Sessions.open(source, config, w -> { });
             ModelSession b = Sessions.open(tappedFile, config, w -> { });
             ModelSession c = Sessions.open(exposedFile, config, w -> { })) {
            base = Stepper.run(a, call, Stepper.emptyPast(a, 1));
            Stepper.Step tapsOnly = Stepper.run(b, call, Stepper.emptyPast(b, 1));
            for (String out : base.outputs().keySet()) {
                if (d.dtype() == DataType.FLOAT16) {
                    // ONNX Runtime 1.29 runs fp16 ops of the CPU provider through fp32 Casts that
                    // it merges differently once a tapped tensor is a graph output, even with
                    // optimisation off: the outputs then agree within the rounding of fp16 matrix
                    // products done another way (measured: 1.3e-3 on logits of 0.13), not bit for bit.
                    assertWithin(Tolerances.acrossCalls(d.dtype()), base.output(out).values(),
                            tapsOnly.output(out).values(), out + " changed by the taps");
                } else {
                    assertArrayEquals(base.output(out).values(), tapsOnly.output(out).values(),
                            out + " changed by the taps");
                }
            }
            reference = Stepper.run(c, call, Stepper.emptyPast(c, 1));
            withTaps = reference;
        }
        // With graph optimisations on, a tap can block a fusion: the outputs then agree within rounding.
        SessionConfig optimised = config.withOptimization(GraphOptimization.ALL);
        try (ModelSession a = Sessions.open(source, optimised, w -> { });
             ModelSession b = Sessions.open(tappedFile, optimised, w -> { })) {
            Stepper.Step x = Stepper.run(a, call, Stepper.emptyPast(a, 1));
            Stepper.Step y = Stepper.run(b, call, Stepper.emptyPast(b, 1));
            Tolerance rounding = d.dtype() == DataType.FLOAT16 ? Tolerances.acrossCalls(d.dtype())
                    : Tolerances.unchanged(d.dtype());
            for (String out : x.outputs().keySet()) {
                float[] p = x.output(out).values();
                float[] q = y.output(out).values();
                for (int i = 0; i < p.length; i++) {
                    assertTrue(Math.abs(p[i] - q[i]) <= rounding.absolute() + rounding.relative() * Math.abs(p[i]),
                            out + "[" + i + "] with optimisation ALL: " + p[i] + " vs " + q[i] + " with taps");
                }
            }
        }
        assertNormOf(withTaps.output("tap.embed_norm"), reference.output(e.embeddings().name()), "tap.embed_norm", d);
        for (DecoderLayer l : e.layers()) {
            int i = l.index();
            assertNormOf(withTaps.output("tap.attn_norm." + i), reference.output(l.attentionOutput().name()),
                    "tap.attn_norm." + i, d);
            assertNormOf(withTaps.output("tap.mlp_norm." + i), reference.output(l.mlpOutput().name()),
                    "tap.mlp_norm." + i, d);
            if (l.residualAfter().value() != null) {
                HostTensor resid = reference.output(l.residualAfter().value().name());
                assertNormOf(withTaps.output("tap.resid_norm." + i), resid, "tap.resid_norm." + i, d);
                assertArrayEquals(resid.values(), withTaps.output("tap.resid." + i).values(), "tap.resid." + i);
            } else {
                assertTrue(withTaps.outputs().containsKey("tap.resid_norm." + i), "asked the final norm for its sum");
            }
            HostTensor site = SiteTensorView.of(reference.output(l.site(MlpSite.UP).name()), 9);
            HostTensor tap = withTaps.output("tap.site." + i + ".up");
            assertArrayEquals(new long[] {1, 9, NEURONS.size()}, tap.shape(), "tap.site shape");
            for (int t = 0; t < 9; t++) {
                for (int k = 0; k < NEURONS.size(); k++) {
                    assertEquals(site.get(0, t, NEURONS.get(k)), tap.get(0, t, k), "tap.site." + i + ".up at " + t);
                }
            }
            if (l.attention().probabilities() != null) {
                HostTensor probs = reference.output(l.attention().probabilities().name());
                HostTensor first = withTaps.output("tap.attn_to_first." + i);
                for (int h = 0; h < probs.dim(1); h++) {
                    for (int t = 0; t < 9; t++) {
                        assertEquals(probs.get(0, h, t, 0), first.get(0, h, t), "attn_to_first head " + h + " pos " + t);
                    }
                }
            } else {
                assertTrue(result.skipped().stream().anyMatch(s -> s.startsWith("tap.attn_to_first." + i + ": attention is fused")),
                        result.skipped().toString());
            }
        }
    }

    private static TapRequest everything() {
        return new TapRequest(null, true, true, Map.of(MlpSite.UP, NEURONS), true);
    }

    private static void assertNormOf(HostTensor norms, HostTensor vectors, String what, Decoder d) {
        long hidden = vectors.dim(vectors.rank() - 1);
        int rows = (int) (vectors.values().length / hidden);
        assertEquals(rows, norms.values().length, what + " has one norm per token");
        // In fp16 models ONNX Runtime's CPU provider computes MatMul in fp32 and inserts a Cast to
        // fp16; the tap's own Cast back to fp32 can cancel it, so the tap sees the value before its
        // fp16 rounding: within an fp16 ulp (2^-10 relative) of the rounded tensor.
        double relative = d.dtype() == DataType.FLOAT16 ? 2e-3 : 1e-5;
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int k = 0; k < hidden; k++) {
                double v = vectors.values()[(int) (r * hidden + k)];
                sum += v * v;
            }
            double expected = Math.sqrt(sum);
            double got = norms.values()[r];
            if (Math.abs(got - expected) > relative * Math.max(1, expected)) {
                fail(what + " token " + r + ": tap says " + got + ", the tensor's norm is " + expected
                        + " (" + d.dtype().onnxName() + " model, norm in fp32)");
            }
        }
    }

    private Path save(Model model, Path source, String file) throws Exception {
        Path out = source.resolveSibling(file);
        Files.deleteIfExists(out);
        ModelSaver.create().save(model, out);
        return out;
    }

    private static StepInputs prompt(Decoder d, int length) {
        SplittableRandom random = new SplittableRandom(5);
        long[] ids = new long[length];
        long[] mask = new long[length];
        long[] positions = new long[length];
        for (int t = 0; t < length; t++) {
            ids[t] = t == 0 ? 1 : 2 + random.nextInt((int) Math.min(d.vocabSize(), 250) - 2);
            mask[t] = 1;
            positions[t] = t;
        }
        return new StepInputs(new long[][] {ids}, new long[][] {mask}, new long[][] {positions});
    }

    /** A site read as {@code [batch, seq, I]} whether the graph keeps it flat or not. */
    private static final class SiteTensorView {
        static HostTensor of(HostTensor site, int seq) {
            if (site.rank() == 3) {
                return site;
            }
            return new HostTensor(site.dtype(), new long[] {site.dim(0) / seq, seq, site.dim(1)}, site.values());
        }
    }

    private static void assertWithin(Tolerance t, float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= t.absolute() + t.relative() * Math.abs(expected[i]),
                    what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }
}
