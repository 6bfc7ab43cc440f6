package dev.sinkfix.samples;

import dev.sinkfix.runtime.HostTensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * optimum's merged decoder: both branches are matched, the patch goes into the same layer of
 * both with one state pair at the top level, and under ONNX Runtime the merged patched model
 * gives the unmerged patched model's logits and sink state on the first call (no-past branch)
 * and on every later call (with-past branch), whether the capture happens in the prefill or in a
 * decode step. The taps likewise.
 */
class MergedDecoderPatchTest {
    private static final int LAYER = 1;
    private static final List<Integer> NEURONS = List.of(3, 40, 101);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "prefill of {0} tokens, then 3 decode steps")
    @ValueSource(ints = {5, 1})
    void mergedAndUnmergedPatchedModelsAgreeOnEveryCall(int prefill) throws Exception {
        SampleSpec spec = Samples.preset("llama-torch-fp32");
        Path plain = Samples.write(spec, tmp.resolve("plain"));
        Path merged = MergedSample.write(plain, tmp.resolve("merged"));

        MergedDecoder md = MergedDecoder.find(ModelLoader.load(merged));
        assertNotNull(md, "the merged form is recognised");
        assertEquals(spec.layers(), md.withPast().layers().size());
        assertEquals(spec.layers(), md.withoutPast().layers().size());
        assertEquals("then_branch", md.withPastLabel());
        assertEquals(spec.layers(), md.withPast().kvCache().size());
        assertTrue(md.withoutPast().kvCache().isEmpty(), "the no-past branch ignores the past");

        // Unpatched, the merged sample is the plain one.
        assertSameSequence(spec, plain, merged, prefill, false);

        SinkSpec sink = new SinkSpec(LAYER, NEURONS, MlpSite.UP, 1);
        Path plainPatched = GraphVariants.variant(plain, tmp.resolve("plain-patched"),
                m -> SinkPatch.apply(m, DecoderMatcher.match(m), List.of(sink), "test"));
        Path mergedPatched = GraphVariants.variant(merged, tmp.resolve("merged-patched"),
                m -> SinkPatch.applyMerged(m, MergedDecoder.find(m), List.of(sink), "test"));
        var top = ModelLoader.load(mergedPatched).graph();
        assertEquals(1, top.inputs().stream().filter(v -> v.name().equals("past_sink_state." + LAYER)).count());
        assertNotNull(top.output("present_sink_state." + LAYER));
        assertSameSequence(spec, plainPatched, mergedPatched, prefill, true);

        TapRequest taps = new TapRequest(Set.of(LAYER), true, false, Map.of(MlpSite.UP, NEURONS), false);
        Path plainTapped = GraphVariants.variant(plainPatched, tmp.resolve("plain-tapped"),
                m -> Taps.apply(m, DecoderMatcher.match(m), taps));
        Path mergedTapped = GraphVariants.variant(mergedPatched, tmp.resolve("merged-tapped"),
                m -> Taps.applyMerged(m, MergedDecoder.find(m), taps));
        assertSameSequence(spec, plainTapped, mergedTapped, prefill, true);
    }

    /** Prefill then three decode steps on both models, every output compared on every call. */
    private static void assertSameSequence(SampleSpec spec, Path plain, Path merged, int prefill, boolean patched)
            throws Exception {
        long[] ids = SmallPresets.tokens(spec, prefill + 3, 9);
        try (DecoderRunner a = new DecoderRunner(spec, plain); DecoderRunner b = new DecoderRunner(spec, merged)) {
            DecoderRunner.Cache pastA = a.emptyCache(1);
            DecoderRunner.Cache pastB = b.emptyCache(1);
            HostTensor state = Feeds.floats(new float[NEURONS.size()], 1, NEURONS.size());
            HostTensor stateB = state;
            int at = 0;
            for (int call = 0; call < 4; call++) {
                int n = call == 0 ? prefill : 1;
                long[] chunk = Arrays.copyOfRange(ids, at, at + n);
                Map<String, HostTensor> extraA = new HashMap<>();
                Map<String, HostTensor> extraB = new HashMap<>();
                if (patched) {
                    extraA.put("past_sink_state." + LAYER, state);
                    extraB.put("past_sink_state." + LAYER, stateB);
                }
                extraB.put(MergedSample.USE_CACHE, Feeds.flag(call > 0));
                long[][] mask = {SmallPresets.ones(at + n)};
                long[][] positions = {SmallPresets.range(at, at + n)};
                Map<String, HostTensor> outA = a.outputs(new long[][] {chunk}, mask, positions, pastA, extraA);
                Map<String, HostTensor> outB = b.outputs(new long[][] {chunk}, mask, positions, pastB, extraB);
                assertEquals(outA.keySet(), outB.keySet(), "call " + call + ": the same outputs");
                for (String name : outA.keySet()) {
                    float d = LayersKeepTheirIndexTest.maxDiff(outA.get(name).values(), outB.get(name).values());
                    assertTrue(d < 1e-5f, "call " + call + " (" + (call == 0 ? "no-past" : "with-past")
                            + " branch), output " + name + ": merged and unmerged differ by " + d);
                }
                pastA = cache(spec, outA);
                pastB = cache(spec, outB);
                if (patched) {
                    state = outA.get("present_sink_state." + LAYER);
                    stateB = outB.get("present_sink_state." + LAYER);
                }
                at += n;
            }
            if (patched) {
                float largest = 0;
                for (float v : stateB.values()) {
                    largest = Math.max(largest, Math.abs(v));
                }
                assertTrue(largest > 0, "the merged model captured a value into its sink state");
            }
        }
    }

    private static DecoderRunner.Cache cache(SampleSpec spec, Map<String, HostTensor> out) {
        List<HostTensor> keys = new ArrayList<>();
        List<HostTensor> values = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            keys.add(out.get("present." + i + ".key"));
            values.add(out.get("present." + i + ".value"));
        }
        return new DecoderRunner.Cache(keys, values);
    }
}
