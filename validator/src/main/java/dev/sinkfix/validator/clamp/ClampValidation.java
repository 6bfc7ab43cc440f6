package dev.sinkfix.validator.clamp;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.generate.Argmax;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.rewrite.ClampRecord;
import dev.sinkfix.surgery.rewrite.NeuronRange;
import dev.sinkfix.surgery.rewrite.PatchRecord;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.SiteTaps;
import dev.sinkfix.validator.SiteTensor;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.validator.TokenPositions;
import dev.sinkfix.validator.Tolerance;
import dev.sinkfix.validator.Tolerances;
import dev.sinkfix.validator.validate.Prompt;
import dev.sinkfix.validator.validate.Prompts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code validate} for a clamp-mode model (PATCH-SEMANTICS.md, "Modes"): the same generated
 * prompts as replay's validation (random ids, BoS and a repeated token, a left-padded batch, one
 * token) and the user's, each run whole through both models, and these checks:
 * <ol>
 * <li>(1) outputs up to the capture position equal the original's;</li>
 * <li>(io) the model's inputs and outputs are the original's, by name and element type;</li>
 * <li>(range) after the capture position no chosen neuron lies outside its range;</li>
 * <li>(untouched) every in-range value, every other neuron and every position up to the capture
 *     is passed through bit for bit, and an out-of-range value is cut to the nearer bound;</li>
 * <li>(4) at the first clamped layer only the chosen neurons differ from the original's site.</li>
 * </ol>
 */
public final class ClampValidation {
    private ClampValidation() {
    }

    public record Options(SessionConfig config, Path promptsFile, long bos, long token, int repeats) {
    }

    /** Whether the model records at least one clamp-mode layer. */
    public static boolean isClamp(Model patched) {
        return PatchRecord.readAll(patched).stream()
                .anyMatch(r -> ClampRecord.CLAMP.equals(ClampRecord.mode(patched, r.layer())));
    }

    public static ClampReport run(Path originalFile, Path patchedFile, Options o, Consumer<String> warnings)
            throws IOException, OrtException {
        Model original = ModelLoader.load(originalFile);
        Decoder od = DecoderMatcher.match(original);
        Model patched = ModelLoader.load(patchedFile);
        List<ClampedLayer> layers = layers(original, od, patched);
        long vocab = od.vocabSize() > 3 ? od.vocabSize() : 32;
        if (o.bos() < 0 || o.bos() >= vocab || o.token() < 0 || o.token() >= vocab) {
            throw new BadInputException("token ids " + o.bos() + " and " + o.token() + " must lie in the vocabulary of "
                    + vocab);
        }
        List<Prompt> prompts = new ArrayList<>(Prompts.generated(vocab, o.bos(), o.token(), Math.max(1, o.repeats()),
                od.attentionMask() != null));
        if (o.promptsFile() != null) {
            prompts.addAll(Prompts.read(o.promptsFile(), originalFile, vocab));
        }
        ClampChecks checks = new ClampChecks(layers, od, Tolerances.unchanged(od.dtype()));
        checks.io(original, patched);
        for (ClampedLayer l : layers) {
            SiteTaps.expose(original, od.dtype(), l.originalSite());
            SiteTaps.expose(patched, od.dtype(), l.pre(), l.post());
        }
        String device;
        try (ScratchModel so = ScratchModel.of(original); ScratchModel sp = ScratchModel.of(patched);
             ModelSession os = Sessions.open(so.file(), o.config(), warnings);
             ModelSession ps = Sessions.open(sp.file(), o.config(), w -> { })) {
            device = ps.provider().id();
            for (Prompt prompt : prompts) {
                StepInputs call = prompt.whole();
                Stepper.Step a = Stepper.run(os, call, Stepper.emptyPast(os, call.batch()));
                Stepper.Step b = Stepper.run(ps, call, Stepper.emptyPast(ps, call.batch()));
                checks.call(prompt.name(), call, TokenPositions.of(od.positions(), call, od.attentionMask() != null),
                        a, b);
            }
        }
        List<ClampReport.Layer> described = layers.stream().map(l -> new ClampReport.Layer(l.layer(), l.site(),
                l.neurons(), l.capturePosition(), l.ranges(), l.source())).toList();
        return new ClampReport(originalFile.toString(), patchedFile.toString(), device, described,
                prompts.stream().map(p -> p.name() + " (" + p.shape() + ")").toList(), checks.all(),
                checks.clampedValues, checks.clampSlots, checks.greedyAgree, checks.greedyCompared);
    }

    /** A clamped layer and the tensors to read: the site in the original, before and after the clamp in the patched. */
    record ClampedLayer(int layer, String site, List<Integer> neurons, int capturePosition, List<NeuronRange> ranges,
                        String source, String originalSite, String pre, String post) {
    }

    private static List<ClampedLayer> layers(Model original, Decoder od, Model patched) {
        if (isClamp(original) || original.graph().inputs().stream().anyMatch(v -> v.name().startsWith("past_sink_state."))) {
            throw new BadInputException("the original model " + original.source() + " is itself patched; give the "
                    + "model before the patch");
        }
        List<ClampedLayer> layers = new ArrayList<>();
        for (PatchRecord r : PatchRecord.readAll(patched)) {
            ClampRecord c = ClampRecord.read(patched, r.layer()).orElseThrow(() -> new BadInputException("layer "
                    + r.layer() + " of " + patched.source() + " is not recorded as a clamp patch with readable "
                    + "ranges (sinkfix.layer." + r.layer() + ".mode/ranges); a model mixing modes is not validated"));
            if (c.ranges().size() != r.neurons().size()) {
                throw new BadInputException("layer " + r.layer() + " records " + r.neurons().size() + " neurons but "
                        + c.ranges().size() + " ranges");
            }
            if (r.layer() < 0 || r.layer() >= od.layers().size()) {
                throw new BadInputException("layer " + r.layer() + " does not exist in the original model ("
                        + od.layers().size() + " layers)");
            }
            String pre = r.siteTensor();
            String post = r.patchedTensor();
            if (pre == null || post == null || patched.graph().value(pre) == null || patched.graph().value(post) == null) {
                throw new BadInputException("the patched model does not name the clamped tensors of layer " + r.layer()
                        + " (sinkfix.layer." + r.layer() + ".site_tensor and .patched_tensor)");
            }
            layers.add(new ClampedLayer(r.layer(), r.site().cliName(), r.neurons(), r.capturePosition(), c.ranges(),
                    c.source(), od.layer(r.layer()).site(r.site()).name(), pre, post));
        }
        if (layers.isEmpty()) {
            throw new BadInputException("the patched model records no clamp patch");
        }
        return layers;
    }

    /** The checks' state over all calls. */
    static final class ClampChecks {
        private final List<ClampedLayer> layers;
        private final ClampedLayer first;
        private final Decoder od;
        private final Tolerance unchanged;
        private final DataType dtype;
        final ClampCheck upToCapture = new ClampCheck("1", "outputs up to the capture position equal the original's");
        final ClampCheck io = new ClampCheck("io", "inputs and outputs are exactly the original's");
        final ClampCheck inRange = new ClampCheck("range", "after the capture position no chosen neuron lies outside "
                + "its range");
        final ClampCheck untouched = new ClampCheck("untouched", "in-range values, other neurons and positions up to "
                + "the capture pass unchanged; out-of-range values are cut to the bound");
        final ClampCheck onlyChosen = new ClampCheck("4", "only the chosen neurons of the site differ from the "
                + "original");
        long clampedValues;
        long clampSlots;
        long greedyAgree;
        long greedyCompared;

        ClampChecks(List<ClampedLayer> layers, Decoder od, Tolerance unchanged) {
            this.layers = layers;
            this.first = layers.stream().min((x, y) -> Integer.compare(x.layer(), y.layer())).orElseThrow();
            this.od = od;
            this.unchanged = unchanged;
            this.dtype = od.dtype();
        }

        List<ClampCheck> all() {
            return List.of(upToCapture, io, inRange, untouched, onlyChosen);
        }

        void io(Model original, Model patched) {
            compare("input", original.graph().inputs(), patched.graph().inputs());
            compare("output", original.graph().outputs(), patched.graph().outputs());
        }

        private void compare(String kind, List<Value> a, List<Value> b) {
            List<String> x = a.stream().map(v -> v.name() + ":" + v.dtype()).toList();
            List<String> y = b.stream().map(v -> v.name() + ":" + v.dtype()).toList();
            if (x.equals(y)) {
                io.pass();
            } else {
                io.fail(kind + "s differ: original " + x + ", patched " + y);
            }
        }

        void call(String label, StepInputs call, TokenPositions where, Stepper.Step a, Stepper.Step b) {
            String logitsName = od.logits() == null ? "logits" : od.logits().name();
            HostTensor la = a.output(logitsName);
            HostTensor lb = b.output(logitsName);
            int vocab = (int) la.dim(la.rank() - 1);
            int cap = layers.stream().mapToInt(ClampedLayer::capturePosition).min().orElse(1);
            for (int row = 0; row < call.batch(); row++) {
                for (int t = 0; t < call.length(); t++) {
                    if (!where.isReal(row, t)) {
                        continue;
                    }
                    int base = (row * call.length() + t) * vocab;
                    float[] va = la.values();
                    float[] vb = lb.values();
                    if (Argmax.of(va, base, vocab) == Argmax.of(vb, base, vocab)) {
                        greedyAgree++;
                    }
                    greedyCompared++;
                    if (where.isUpstreamOfPatch(row, t, cap)) {
                        int bad = -1;
                        for (int v = 0; v < vocab && bad < 0; v++) {
                            if (!unchanged.accepts(va[base + v], vb[base + v])) {
                                bad = v;
                            }
                        }
                        if (bad < 0) {
                            upToCapture.pass();
                        } else {
                            upToCapture.fail(label + ": logits[" + row + ", " + where.describe(row, t) + ", " + bad
                                    + "] " + va[base + bad] + " vs " + vb[base + bad]);
                        }
                    }
                }
            }
            for (ClampedLayer l : layers) {
                SiteTensor orig = SiteTensor.of(a.output(l.originalSite()), call.batch(), call.length());
                SiteTensor pre = SiteTensor.of(b.output(l.pre()), call.batch(), call.length());
                SiteTensor post = SiteTensor.of(b.output(l.post()), call.batch(), call.length());
                layer(label, l, where, orig, pre, post);
            }
        }

        private void layer(String label, ClampedLayer l, TokenPositions where, SiteTensor orig, SiteTensor pre,
                           SiteTensor post) {
            int[] slot = new int[pre.width()];
            java.util.Arrays.fill(slot, -1);
            for (int k = 0; k < l.neurons().size(); k++) {
                slot[l.neurons().get(k)] = k;
            }
            for (int row = 0; row < pre.batch(); row++) {
                for (int t = 0; t < pre.seq(); t++) {
                    boolean after = where.isOverridden(row, t, l.capturePosition());
                    boolean allSame = true;
                    for (int n = 0; n < pre.width(); n++) {
                        float x = pre.get(row, t, n);
                        float y = post.get(row, t, n);
                        int k = slot[n];
                        if (!after || k < 0) {
                            allSame &= Float.compare(x, y) == 0;
                        } else {
                            NeuronRange r = l.ranges().get(k);
                            clampSlots++;
                            float want = Math.min(Math.max(x, r.lo()), r.hi());
                            double slack = slack(want);
                            if (y < r.lo() - slack(r.lo()) || y > r.hi() + slack(r.hi())) {
                                inRange.fail(label + ": layer " + l.layer() + " neuron " + n + " at "
                                        + where.describe(row, t) + " is " + y + ", outside " + r.text());
                            } else {
                                inRange.pass();
                            }
                            boolean ok = r.contains(x) ? Float.compare(x, y) == 0 : Math.abs(y - want) <= slack;
                            if (!r.contains(x)) {
                                clampedValues++;
                            }
                            if (ok) {
                                untouched.pass();
                            } else {
                                untouched.fail(label + ": layer " + l.layer() + " neuron " + n + " at "
                                        + where.describe(row, t) + ": before " + x + ", after " + y + ", expected " + want);
                            }
                        }
                    }
                    if (allSame) {
                        untouched.pass();
                    } else {
                        untouched.fail(label + ": layer " + l.layer() + " at " + where.describe(row, t)
                                + ": a value that is not a chosen neuron after the capture position changed");
                    }
                    if (l == first) {
                        onlyChosen(label, l, where, row, t, orig, post, slot);
                    }
                }
            }
        }

        private void onlyChosen(String label, ClampedLayer l, TokenPositions where, int row, int t, SiteTensor orig,
                                SiteTensor post, int[] slot) {
            for (int n = 0; n < orig.width(); n++) {
                if (slot[n] >= 0 && where.isOverridden(row, t, l.capturePosition())) {
                    continue;
                }
                if (!unchanged.accepts(orig.get(row, t, n), post.get(row, t, n))) {
                    onlyChosen.fail(String.format(Locale.ROOT, "%s: layer %d neuron %d at %s: original %s, patched %s",
                            label, l.layer(), n, where.describe(row, t), orig.get(row, t, n), post.get(row, t, n)));
                    return;
                }
            }
            onlyChosen.pass();
        }

        /** How far a bound may move when the model's dtype rounds it (see ClampPatch: outward by one ulp). */
        private double slack(float v) {
            return switch (dtype) {
                case FLOAT16 -> Math.abs(v) * 0x1p-8 + 1e-6;
                case BFLOAT16 -> Math.abs(v) * 0x1p-5 + 1e-30;
                default -> 0;
            };
        }
    }
}
