package dev.sinkfix.validator;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.runtime.generate.Stepper;
import dev.sinkfix.validator.PairedStepper.PairedStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The patch under real ONNX Runtime CPU sessions, on every small sample preset and on the real
 * export: each scenario runs as one call and as the other ways a generation loop cuts it, the
 * original model running beside the patched one at the same inputs, and every call is held to
 * PATCH-SEMANTICS.md's invariants and to the plain-Java reference.
 */
class PatchInvariantsTest {
    @TempDir
    static Path scratch;

    private static final Map<PatchCase, PatchedPair> OPEN = new HashMap<>();

    static Stream<Arguments> cases() {
        return PatchCase.all().stream().flatMap(c -> Stream.of(Scenario.values())
                .filter(s -> c.hasMask() || !s.needsPadding()).map(s -> Arguments.of(c, s)));
    }

    @AfterAll
    static void closeSessions() {
        OPEN.values().forEach(PatchedPair::close);
        OPEN.clear();
    }

    private static PatchedPair pair(PatchCase c) throws Exception {
        PatchedPair pair = OPEN.get(c);
        if (pair == null) {
            pair = PatchedPair.open(c, scratch);
            OPEN.put(c, pair);
        }
        return pair;
    }

    static Stream<PatchCase> patchCases() {
        return PatchCase.all().stream();
    }

    /** The state is a KV-cache-like pair in the site's own dtype: fp16 models keep fp16. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("patchCases")
    void stateIsAPastPresentPairInTheModelsDtype(PatchCase c) throws Exception {
        PatchedPair pair = pair(c);
        PatchedLayer layer = pair.layer;
        assertEquals("past_sink_state." + c.layer(), layer.stateInput());
        assertEquals("present_sink_state." + c.layer(), layer.stateOutput());
        assertEquals(layer.stateOutput(), Stepper.cachePairs(pair.patched).get(layer.stateInput()));
        for (IoSpec io : List.of(pair.patched.input(layer.stateInput()), pair.patched.output(layer.stateOutput()))) {
            assertEquals(pair.dtype, io.dtype(), io + " should have the model's dtype");
            assertEquals(2, io.rank(), io + " should be [batch, n]");
            assertEquals(c.neurons().size(), io.shape()[1], io + " should be [batch, n]");
        }
        assertEquals(pair.dtype, pair.patched.output(layer.patchedTensor()).dtype(), "the patched site keeps the dtype");
        HostTensor zero = Stepper.emptyPast(pair.patched, 2).get(layer.stateInput());
        assertEquals(pair.dtype, zero.dtype());
        assertArrayEquals(new long[] {2, c.neurons().size()}, zero.shape());
        assertEquals(pair.original.inputs().size() + 1, pair.patched.inputs().size(), "one new input");
        assertEquals(pair.original.outputs().size() + 1, pair.patched.outputs().size(), "one new output");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cases")
    void patchKeepsItsInvariants(PatchCase c, Scenario scenario) throws Exception {
        PatchedPair pair = pair(c);
        PatchedLayer layer = pair.layer;
        PaddedBatch batch = scenario.batch(pair.vocab);
        List<List<StepInputs>> splits = scenario.splits(batch).stream().filter(pair.chunking::allows).toList();
        assertTrue(splits.size() >= 2, "the scenario keeps at least one split to compare with the single call");

        Findings upstream = new Findings("invariant 1 (outputs up to the capture position unchanged, "
                + Tolerances.unchanged(pair.dtype) + ")");
        Findings sameRun = new Findings("invariant 2 (one call and several calls agree, "
                + Tolerances.acrossCalls(pair.dtype) + ")");
        Findings pinned = new Findings("invariant 3 (chosen neurons after the capture position hold the captured value)");
        Findings onlyPinned = new Findings("invariant 4 (only the chosen neurons differ from the original site)");
        Findings reference = new Findings("the reference (patched site and state equal SinkReference exactly)");
        Findings scenarioChecks = new Findings("the scenario's own checks");

        List<List<PairedStep>> runs = new ArrayList<>();
        for (List<StepInputs> split : splits) {
            List<PairedStep> run = PairedStepper.run(pair.original, pair.patched, pair.positions, split);
            runs.add(run);
            for (int i = 0; i < run.size(); i++) {
                String call = describe(split, i);
                StepVerdict v = StepVerdict.check(layer, run.get(i), Tolerances.unchanged(pair.dtype));
                upstream.add(call, v.outputsUpToCapture());
                pinned.add(call, v.pinned());
                onlyPinned.add(call, v.onlyPinnedDiffer());
                reference.add(call, v.reference());
            }
        }
        PairedStep whole = runs.get(0).get(0);
        for (int r = 1; r < runs.size(); r++) {
            acrossCalls(pair, whole, runs.get(r), "split " + sizes(splits.get(r)), sameRun);
        }
        ScenarioChecks.check(scenario, layer, batch, runs, scenarioChecks);

        String subject = c + " / " + scenario;
        assertAll(upstream.assertion(subject), sameRun.assertion(subject), pinned.assertion(subject),
                onlyPinned.assertion(subject), reference.assertion(subject), scenarioChecks.assertion(subject));
    }

    /** Invariant 2: logits of all calls joined, and the last call's caches and state, against the one call. */
    private static void acrossCalls(PatchedPair pair, PairedStep whole, List<PairedStep> run, String split,
                                    Findings findings) {
        Tolerance tolerance = Tolerances.acrossCalls(pair.dtype);
        TokenPositions where = whole.where();
        HostTensor logits = HostTensor.concat(1, run.stream().map(s -> s.patched().output("logits")).toList());
        findings.add(split, PatchInvariants.sameAcrossCalls("logits", whole.patched().output("logits"), logits,
                new TensorComparison.Layout(1, 0, where), tolerance));
        Stepper.Step last = run.get(run.size() - 1).patched();
        for (String name : whole.patched().outputs().keySet()) {
            if (name.startsWith("present.")) {
                findings.add(split, PatchInvariants.sameAcrossCalls(name, whole.patched().output(name),
                        last.output(name), new TensorComparison.Layout(2, 0, where), tolerance));
            }
        }
        PatchedLayer layer = pair.layer;
        findings.add(split, PatchInvariants.sameState(layer, whole.patched().output(layer.stateOutput()).rows(),
                last.output(layer.stateOutput()).rows(), tolerance));
    }

    static String describe(List<StepInputs> split, int call) {
        StepInputs in = split.get(call);
        return "split " + sizes(split) + ", call " + call + " (past " + in.pastLength() + ", " + in.length()
                + (in.length() == 1 ? " token)" : " tokens)");
    }

    static String sizes(List<StepInputs> split) {
        return split.stream().map(s -> Integer.toString(s.length())).collect(Collectors.joining("+", "[", "]"));
    }
}
