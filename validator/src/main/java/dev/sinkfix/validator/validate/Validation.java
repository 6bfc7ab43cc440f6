package dev.sinkfix.validator.validate;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.generate.Argmax;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.PositionSource;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.validator.Mismatch;
import dev.sinkfix.validator.PairedStepper.PairedStep;
import dev.sinkfix.validator.PairedStepper;
import dev.sinkfix.validator.PatchInvariants;
import dev.sinkfix.validator.PatchedLayer;
import dev.sinkfix.validator.ScratchModel;
import dev.sinkfix.validator.SiteTaps;
import dev.sinkfix.validator.SiteTensor;
import dev.sinkfix.validator.StepVerdict;
import dev.sinkfix.validator.TensorComparison;
import dev.sinkfix.validator.TokenPositions;
import dev.sinkfix.validator.Tolerance;
import dev.sinkfix.validator.Tolerances;
import dev.sinkfix.validator.probe.LayerNorms;
import dev.sinkfix.validator.probe.ModelProbe;
import dev.sinkfix.validator.probe.ProbeSettings;
import dev.sinkfix.validator.probe.RepeatProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code validate}: holds a patched model to PATCH-SEMANTICS.md against its original, on
 * generated prompts and the user's, with taps added on the fly to scratch copies (the files are
 * not changed). Each prompt runs once whole and once as a prefill and decode steps with the KV
 * cache and the sink state threaded ({@link PairedStepper}); every call is checked with
 * {@link StepVerdict}, and the two ways of running are compared for invariant 2.
 */
public final class Validation {
    private Validation() {
    }

    /**
     * @param override    the patch as the command line gives it, or null to read the metadata
     * @param promptsFile the user's prompts, or null
     * @param bos         the BoS id the generated prompts start with
     * @param token       the token the repeat prompt and the repeat task repeat
     * @param repeats     how many times
     * @param effects     whether to run the repeat task for the norms (two more sessions)
     * @param bosSource   where {@code bos} came from ({@code --bos}, {@code tokenizer.json}, ...), for the report
     */
    public record Options(SessionConfig config, PatchDescription.Override override, Path promptsFile, long bos,
                          long token, int repeats, boolean effects, String bosSource) {

        public Options(SessionConfig config, PatchDescription.Override override, Path promptsFile, long bos,
                       long token, int repeats, boolean effects) {
            this(config, override, promptsFile, bos, token, repeats, effects, "--bos");
        }
    }

    public static ValidationReport run(Path originalFile, Path patchedFile, Options o, Consumer<String> warnings)
            throws IOException, OrtException {
        long start = System.nanoTime();
        Clock clock = new Clock();
        Model original = ModelLoader.load(originalFile);
        Decoder od = DecoderMatcher.match(original);
        Model patched = ModelLoader.load(patchedFile);
        List<PatchedLayer> layers = PatchDescription.resolve(original, od, patched, o.override());
        long vocab = od.vocabSize() > 3 ? od.vocabSize() : 32;
        for (long id : new long[] {o.bos(), o.token()}) {
            if (id < 0 || id >= vocab) {
                throw new BadInputException("token id " + id + " is outside the vocabulary of " + vocab);
            }
        }
        if (o.repeats() < 1) {
            throw new BadInputException("--repeats must be 1 or more, got " + o.repeats());
        }
        boolean hasMask = od.attentionMask() != null;
        List<Prompt> prompts = new ArrayList<>(Prompts.generated(vocab, o.bos(), o.token(), o.repeats(), hasMask));
        if (o.promptsFile() != null) {
            prompts.addAll(Prompts.read(o.promptsFile(), originalFile, vocab));
        }
        if (od.inputIds().tensorType() != null && od.inputIds().tensorType().rank() == 2) {
            var dims = od.inputIds().tensorType().dims();
            prompts = FittedPrompts.fit(prompts, new dev.sinkfix.runtime.generate.FixedShape(
                    dims.get(0).isKnown() ? dims.get(0).value() : -1, dims.get(1).isKnown() ? dims.get(1).value() : -1));
        }
        DataType dtype = od.dtype();
        Set<String> taps = new HashSet<>();
        for (PatchedLayer l : layers) {
            SiteTaps.expose(original, dtype, l.siteTensor());
            SiteTaps.expose(patched, dtype, l.patchedTensor());
            taps.add(l.siteTensor());
            taps.add(l.patchedTensor());
        }
        int probed = layers.stream().mapToInt(PatchedLayer::layer).min().orElseThrow();
        if (o.effects()) {
            // Residual-norm taps for the repeat task ride in the same scratch copies and sessions.
            TapRequest norms = new TapRequest(Set.of(probed), true, false, Map.of(), false);
            taps.addAll(TapTransplant.apply(original, od, patched, norms));
        }
        String logits = od.logits() == null ? "logits" : od.logits().name();
        int dynamicNodes = DynamicQuantization.count(original);
        DynamicQuantization quantization = null;
        Checks checks;
        Effects effects;
        String device;
        try (ScratchModel so = ScratchModel.of(original); ScratchModel sp = ScratchModel.of(patched)) {
            try (ModelSession os = Sessions.open(so.file(), o.config(), warnings);
                 ModelSession ps = Sessions.open(sp.file(), o.config(), w -> { })) {
                DrivenInputs.check(os, "original");
                DrivenInputs.check(ps, "patched");
                device = ps.provider().id();
                if (dynamicNodes > 0) {
                    quantization = DynamicQuantization.measure(dynamicNodes, os, prompts, logits, od.positions(),
                            od.attentionMask() != null);
                }
                checks = new Checks(layers, dtype, taps, od.positions(), logits, quantization);
                effects = checks.effects(null, "not asked for");
                clock.sessions = seconds(start);
                for (Prompt prompt : prompts) {
                    checks.prompt(prompt, os, ps, !od.kvCache().isEmpty(), clock);
                }
                if (o.effects()) {
                    long t = System.nanoTime();
                    effects = norms(os, ps, od, probed, o, checks, originalFile, patchedFile);
                    clock.probe = seconds(t);
                }
            }
        }
        double total = seconds(start);
        return new ValidationReport(originalFile.toString(), patchedFile.toString(), device,
                o.override() == null ? "metadata" : "command line", layers, prompts, checks.results(), effects,
                new ValidationReport.Timings(total, clock.sessions, clock.runs, clock.comparisons, clock.probe),
                o.bos(), o.bosSource(), quantization);
    }

    /** The repeat task on both models at the first patched layer, on the tapped sessions the checks used. */
    private static Effects norms(ModelSession os, ModelSession ps, Decoder od, int layer, Options o, Checks checks,
                                 Path originalFile, Path patchedFile) {
        ProbeSettings s = new ProbeSettings(o.bos(), o.token(), List.of(o.repeats()), layer, 2, 16, 20261125L, 5.0);
        int count = od.layers().size();
        try {
            ModelProbe before = RepeatProbe.probe(os, originalFile.toString(), count, od.vocabSize(), s);
            ModelProbe after = RepeatProbe.probe(ps, patchedFile.toString(), count, od.vocabSize(), s);
            LayerNorms b = before.layer(layer);
            LayerNorms a = after.layer(layer);
            return checks.effects(new Effects.Norms(layer, o.token(), o.repeats(), b.bos(), b.typical(),
                    b.runMedian(), a.runMedian(), b.runLast(), a.runLast()), null);
        } catch (OrtException | RuntimeException e) {
            return checks.effects(null, "the repeat task did not run: "
                    + Sessions.condense(String.valueOf(e.getMessage())));
        }
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** Seconds spent per kind of work. */
    static final class Clock {
        double sessions;
        double runs;
        double comparisons;
        double probe;
    }

    /** The checks' tallies over every prompt and call, and the greedy agreement. */
    private static final class Checks {
        private final List<PatchedLayer> layers;
        private final PatchedLayer first;
        private final Set<String> taps;
        private final PositionSource positions;
        private final String logits;
        private final Tolerance unchanged;
        private final Tolerance acrossCalls;
        private final Tally upToCapture;
        private final Tally inSteps;
        private final Tally pinned = new Tally(3, "pinned neurons hold the captured value after the capture position",
                Tolerance.EXACT);
        private final Tally onlyPinned = new Tally(4, "only the pinned neurons of the site differ from the original",
                Tolerance.EXACT);
        private final Tally state = new Tally(5, "present_sink_state equals the site at the capture position",
                Tolerance.EXACT);
        private final Tally reference = new Tally(6, "site and state match the specification's reference",
                Tolerance.EXACT);
        private long positionsCompared;
        private long agree;
        private long positionsAfter;
        private long agreeAfter;

        Checks(List<PatchedLayer> layers, DataType dtype, Set<String> taps, PositionSource positions, String logits,
               DynamicQuantization quantization) {
            this.layers = layers;
            this.first = layers.stream().min(Comparator.comparingInt(PatchedLayer::capturePosition)).orElseThrow();
            this.taps = taps;
            this.positions = positions;
            this.logits = logits;
            this.unchanged = quantization == null ? Tolerances.unchanged(dtype)
                    : quantization.widen(Tolerances.unchanged(dtype));
            this.acrossCalls = quantization == null ? Tolerances.acrossCalls(dtype)
                    : quantization.widen(Tolerances.acrossCalls(dtype));
            this.upToCapture = new Tally(1, "outputs up to the capture position equal the original's", unchanged);
            this.inSteps = new Tally(2, "one prefill = prefill + decode steps (logits, final state)", acrossCalls);
        }

        void prompt(Prompt prompt, ModelSession os, ModelSession ps, boolean hasCache, Clock clock)
                throws OrtException {
            long t = System.nanoTime();
            List<PairedStep> wholeRun = drive(prompt.name() + " (one call)", os, ps, List.of(prompt.whole()),
                    all());
            clock.runs += seconds(t);
            if (wholeRun == null) {
                return;
            }
            PairedStep whole = wholeRun.get(0);
            t = System.nanoTime();
            call(prompt.name(), whole);
            greedy(whole);
            clock.comparisons += seconds(t);
            List<StepInputs> calls = prompt.steps();
            if (calls.isEmpty()) {
                return;
            }
            if (!hasCache) {
                inSteps.skipped(prompt.name() + ": the original model has no KV cache, so it cannot be run in steps");
                return;
            }
            t = System.nanoTime();
            List<PairedStep> steps = drive(prompt.name() + " (prefill + decode)", os, ps, calls, List.of(inSteps));
            clock.runs += seconds(t);
            if (steps == null) {
                return;
            }
            t = System.nanoTime();
            for (int i = 0; i < steps.size(); i++) {
                call(prompt.name() + " call " + (i + 1) + " of " + steps.size(), steps.get(i));
            }
            try {
                acrossCalls(prompt, whole, steps);
            } catch (IllegalArgumentException | IllegalStateException e) {
                inSteps.runFailed(prompt.name(), "its outputs cannot be compared across calls: " + e.getMessage());
            }
            clock.comparisons += seconds(t);
        }

        private List<Tally> all() {
            return List.of(upToCapture, inSteps, pinned, onlyPinned, state, reference);
        }

        /**
         * Both models through {@code calls}, or null when that failed: then the checks it belongs
         * to fail with the runtime's message, unless the original model alone cannot be driven
         * through the same calls (the scenario does not apply to this model, and the checks say why).
         */
        private List<PairedStep> drive(String scenario, ModelSession os, ModelSession ps, List<StepInputs> calls,
                                       List<Tally> belongs) {
            try {
                return PairedStepper.run(os, ps, positions, calls);
            } catch (OrtException | RuntimeException e) {
                String message = Sessions.condense(String.valueOf(e.getMessage()));
                String original = originalFailure(os, calls);
                for (Tally tally : belongs) {
                    if (original != null) {
                        tally.skipped(scenario + ": the original model itself cannot be driven so (" + original + ")");
                    } else {
                        tally.runFailed(scenario, message);
                    }
                }
                return null;
            }
        }

        /** Why the original model alone fails through {@code calls}, its own state threaded; null when it runs. */
        private static String originalFailure(ModelSession os, List<StepInputs> calls) {
            try {
                Stepper stepper = new Stepper(os, calls.get(0).batch());
                for (StepInputs call : calls) {
                    stepper.step(call);
                }
                return null;
            } catch (OrtException | RuntimeException e) {
                return Sessions.condense(String.valueOf(e.getMessage()));
            }
        }

        /** Invariants 1, 3, 4, 5 and the reference on one call. */
        private void call(String label, PairedStep step) {
            for (PatchedLayer layer : layers) {
                String shapeProblem = stateShapeProblem(layer, step);
                if (shapeProblem != null) {
                    for (Tally t : List.of(pinned, state, reference)) {
                        t.runFailed(label, shapeProblem);
                    }
                    if (layer == first) {
                        upToCapture.found(label, outputsOnly(layer, step));
                        measureUpstream(step, layer.capturePosition());
                    }
                    continue;
                }
                try {
                    callChecks(label, step, layer);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    for (Tally t : List.of(pinned, onlyPinned, state, reference)) {
                        t.runFailed(label, "the patched model's outputs cannot be read as the patch's: "
                                + e.getMessage());
                    }
                }
            }
        }

        /** Invariant 1 alone, for a call whose state cannot be read. */
        private List<Mismatch> outputsOnly(PatchedLayer layer, PairedStep step) {
            Set<String> skip = new HashSet<>(taps);
            skip.addAll(layers.stream().map(PatchedLayer::stateOutput).toList());
            List<Mismatch> found = new ArrayList<>();
            for (String name : step.original().outputs().keySet()) {
                if (skip.contains(name) || name.startsWith("present_sink_state.")) {
                    continue;
                }
                HostTensor o = step.original().output(name);
                found.addAll(PatchInvariants.unchangedUpToCapture(name, o, step.patched().output(name),
                        layer.capturePosition(), StepVerdict.layoutOf(o, step.inputs(), step.where()), unchanged));
            }
            return found;
        }

        /** The state a call returns must be {@code [batch, n]}, or the next call cannot be fed it. */
        private static String stateShapeProblem(PatchedLayer layer, PairedStep step) {
            HostTensor present = step.patched().outputs().get(layer.stateOutput());
            if (present == null) {
                return "the call returned no " + layer.stateOutput();
            }
            long[] expected = {step.inputs().batch(), layer.neurons().size()};
            if (!java.util.Arrays.equals(present.shape(), expected)) {
                return layer.stateOutput() + " is " + java.util.Arrays.toString(present.shape()) + "; the state of "
                        + layer.neurons().size() + " neuron(s) for a batch of " + step.inputs().batch() + " is "
                        + java.util.Arrays.toString(expected);
            }
            return null;
        }

        private void callChecks(String label, PairedStep step, PatchedLayer layer) {
            StepInputs in = step.inputs();
            TokenPositions where = step.where();
            StepVerdict v = StepVerdict.check(layer, step, unchanged, taps);
            if (layer == first) {
                upToCapture.found(label, v.outputsUpToCapture());
                measureUpstream(step, layer.capturePosition());
            }
            int n = layer.neurons().size();
            long overridden = 0;
            for (int b = 0; b < in.batch(); b++) {
                for (int t = 0; t < in.length(); t++) {
                    if (where.isOverridden(b, t, layer.capturePosition())
                            || where.isCapture(b, t, layer.capturePosition())) {
                        overridden++;
                    }
                }
            }
            pinned.found(label, v.pinned());
            pinned.compared(overridden * n, 0);
            SiteTensor site = SiteTensor.of(step.original().output(layer.siteTensor()), in.batch(), in.length());
            onlyPinned.found(label, v.onlyPinnedDiffer());
            onlyPinned.compared((long) site.values().length, 0);
            reference.found(label, v.reference());
            reference.compared((long) site.values().length + (long) in.batch() * n, 0);
            stateAtCapture(label, layer, where, site, step.patched().output(layer.stateOutput()).rows());
        }

        /** Invariant 5: where a call holds the capture position, the state it returns is the site there. */
        private void stateAtCapture(String label, PatchedLayer layer, TokenPositions where, SiteTensor site,
                                    float[][] present) {
            List<Mismatch> found = new ArrayList<>();
            long count = 0;
            for (int b = 0; b < site.batch(); b++) {
                for (int t = 0; t < site.seq(); t++) {
                    if (!where.isCapture(b, t, layer.capturePosition())) {
                        continue;
                    }
                    for (int k = 0; k < layer.neurons().size(); k++) {
                        int neuron = layer.neurons().get(k);
                        count++;
                        float expected = site.get(b, t, neuron);
                        if (!Tolerance.EXACT.accepts(expected, present[b][k])) {
                            found.add(new Mismatch(layer.stateOutput(), b, t, where.describe(b, t), "neuron", neuron,
                                    "site (" + layer.siteTensor() + ")", expected, "state", present[b][k]));
                        }
                    }
                }
            }
            state.found(label, found);
            state.compared(count, 0);
        }

        private void measureUpstream(PairedStep step, int capture) {
            TokenPositions where = step.where();
            for (String name : step.original().outputs().keySet()) {
                if (taps.contains(name) || name.startsWith("present_sink_state.")) {
                    continue;
                }
                HostTensor o = step.original().output(name);
                Differences.Measure m = Differences.measure(o, step.patched().output(name),
                        StepVerdict.layoutOf(o, step.inputs(), where),
                        (b, t) -> where.isReal(b, t) && where.isUpstreamOfPatch(b, t, capture));
                upToCapture.compared(m.count(), m.largest());
            }
        }

        /** Invariant 2: the logits of every token and the final states, one call against steps. */
        private void acrossCalls(Prompt prompt, PairedStep whole, List<PairedStep> steps) {
            HostTensor one = whole.patched().output(logits);
            List<HostTensor> parts = new ArrayList<>();
            for (PairedStep s : steps) {
                parts.add(s.patched().output(logits));
            }
            HostTensor stepped = HostTensor.concat(1, parts);
            TensorComparison.Layout layout = new TensorComparison.Layout(1, 0, whole.where());
            inSteps.found(prompt.name(), PatchInvariants.sameAcrossCalls(logits, one, stepped, layout, acrossCalls));
            Differences.Measure m = Differences.measure(one, stepped, layout, whole.where()::isReal);
            inSteps.compared(m.count(), m.largest());
            PairedStep last = steps.get(steps.size() - 1);
            for (PatchedLayer layer : layers) {
                HostTensor a = whole.patched().output(layer.stateOutput());
                HostTensor b = last.patched().output(layer.stateOutput());
                inSteps.found(prompt.name(), PatchInvariants.sameState(layer, a.rows(), b.rows(), acrossCalls));
                double largest = 0;
                float[] av = a.values();
                float[] bv = b.values();
                for (int i = 0; i < av.length; i++) {
                    largest = Math.max(largest, Math.abs((double) av[i] - bv[i]));
                }
                inSteps.compared(av.length, largest);
            }
        }

        /** Next-token choices of both models at every real token of a whole prompt. */
        private void greedy(PairedStep step) {
            HostTensor o = step.original().output(logits);
            HostTensor p = step.patched().output(logits);
            if (o.rank() != 3 || o.dim(1) != step.inputs().length()) {
                return;
            }
            int vocab = (int) o.dim(2);
            float[] ov = o.values();
            float[] pv = p.values();
            TokenPositions where = step.where();
            for (int b = 0; b < where.batch(); b++) {
                for (int t = 0; t < where.length(); t++) {
                    if (!where.isReal(b, t)) {
                        continue;
                    }
                    int offset = (b * where.length() + t) * vocab;
                    boolean same = Argmax.of(ov, offset, vocab) == Argmax.of(pv, offset, vocab);
                    positionsCompared++;
                    agree += same ? 1 : 0;
                    if (where.isOverridden(b, t, first.capturePosition())) {
                        positionsAfter++;
                        agreeAfter += same ? 1 : 0;
                    }
                }
            }
        }


        Effects effects(Effects.Norms norms, String why) {
            return new Effects(positionsCompared, agree, positionsAfter, agreeAfter, norms, why);
        }

        List<CheckResult> results() {
            return List.of(upToCapture.result(), inSteps.result(), pinned.result(), onlyPinned.result(),
                    state.result(), reference.result());
        }
    }
}
