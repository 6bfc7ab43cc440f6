package dev.sinkfix.validator.find;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.validator.probe.LayerNorms;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The neurons of the sink layer: scored at BoS (the paper) and at the last token of long repeat
 * runs (the notebook), then checked by cause on the one session: zeroing the chosen neurons at BoS
 * must bring the BoS residual norm back to ordinary (below {@link FindSettings#ORDINARY_FACTOR} times typical), none
 * may be spare (each one's removal from the set undoes that), and pinning them after the capture
 * position must stop the repeat climb.
 */
final class NeuronSearch {
    private final TokenRuns runs;
    private final Interventions feeds;
    private final FindSettings s;
    private final int layer;
    private final int width;
    private final String residOut;
    private final Set<String> residOnly;
    final List<CandidateCheck> checks = new ArrayList<>();
    final List<LayerNorms> originalRuns = new ArrayList<>();
    final List<Long> tokens = new ArrayList<>();
    double[] repeatActivation;
    float[] captured;
    int length;
    List<Integer> chosen = List.of();
    private List<Integer> tried = List.of();
    double bosNormAllZeroed = Double.NaN;
    boolean restored;
    Boolean climbStopped;

    NeuronSearch(TokenRuns runs, Interventions feeds, FindSettings s, int layer, int width) {
        this.runs = runs;
        this.feeds = feeds;
        this.s = s;
        this.layer = layer;
        this.width = width;
        this.residOut = Names.resid(layer);
        this.residOnly = Set.of(residOut);
    }

    /** Runs every repeat token, recording probe's figures and the last token's activations. */
    void repeatRuns(List<Long> repeatTokens, double typicalResid, Consumer<String> progress) throws OrtException {
        Set<String> wanted = Set.of(residOut, Names.site(layer, s.site()));
        repeatActivation = new double[width];
        length = s.repeatLength();
        for (int i = 0; i < repeatTokens.size(); i++) {
            long token = repeatTokens.get(i);
            progress.accept("repeat run " + (i + 1) + " of " + repeatTokens.size() + " (token " + token + ")");
            Map<String, HostTensor> out;
            if (i == 0) {
                RepeatRuns.Fitted fitted = RepeatRuns.fit(runs, s.bos(), token, length, feeds.identity(), wanted);
                length = fitted.length();
                out = fitted.outputs();
            } else {
                out = runs.run(RepeatRuns.ids(s.bos(), token, length), feeds.identity(), wanted);
            }
            float[] site = out.get(Names.site(layer, s.site())).values();
            for (int k = 0; k < width; k++) {
                repeatActivation[k] = Math.max(repeatActivation[k], Math.abs(site[length * width + k]));
            }
            if (i == 0) {
                captured = new float[width];
                System.arraycopy(site, width, captured, 0, width);
            }
            tokens.add(token);
            originalRuns.add(RepeatRuns.figures(layer, out.get(residOut).values(), typicalResid, s.bos(), token,
                    s.sinkFactor()));
        }
    }

    /** The BoS residual norm after the layer with {@code neurons} zeroed. */
    double zeroedAtBos(Collection<Integer> neurons) throws OrtException {
        return runs.run(new long[] {s.bos()}, feeds.zeroed(layer, neurons), residOnly).get(residOut).values()[0];
    }

    /** The candidates, best first: the top by BoS score, then the top by repeat score not among them. */
    List<Integer> candidates(float[] bosSite, WriteNorms writes) {
        List<Integer> byBos = top(k -> Math.abs(bosSite[k]) * writes.of(k), s.candidates());
        List<Integer> byRepeat = top(k -> repeatActivation[k] * writes.of(k), Math.max(2, s.candidates() / 2));
        Set<Integer> all = new LinkedHashSet<>(byBos);
        all.addAll(byRepeat);
        return List.copyOf(all);
    }

    private List<Integer> top(java.util.function.IntToDoubleFunction score, int n) {
        return IntStream.range(0, width).boxed()
                .sorted(Comparator.comparingDouble((Integer k) -> -score.applyAsDouble(k)).thenComparing(k -> k))
                .limit(n).toList();
    }

    /** Greedy by score until BoS is ordinary, then drops every neuron the rest can do without. */
    void causalCheck(List<Integer> candidates, double ordinaryBelow, Consumer<String> progress) throws OrtException {
        progress.accept("causal check of " + candidates.size() + " candidates in layer " + layer);
        List<Integer> set = new ArrayList<>();
        for (int c : candidates) {
            set.add(c);
            bosNormAllZeroed = zeroedAtBos(set);
            if (bosNormAllZeroed < ordinaryBelow) {
                restored = true;
                break;
            }
        }
        tried = List.copyOf(set);
        if (restored) {
            for (int c : List.copyOf(set)) {
                List<Integer> without = new ArrayList<>(set);
                without.remove(Integer.valueOf(c));
                if (!without.isEmpty() && zeroedAtBos(without) < ordinaryBelow) {
                    set = without;
                }
            }
            bosNormAllZeroed = zeroedAtBos(set);
            chosen = List.copyOf(set);
        }
    }

    /** One line per candidate: its score, BoS with it alone zeroed, and why it is in the answer or not. */
    void recordChecks(List<Integer> candidates, float[] bosSite, WriteNorms writes) throws OrtException {
        for (int c : candidates) {
            double alone = zeroedAtBos(List.of(c));
            String why;
            if (chosen.contains(c)) {
                why = tried.contains(c) ? "needed: with the others zeroed it brings BoS back to ordinary, and the "
                        + "others alone do not" : "added to stop the repeat climb";
            } else if (!restored) {
                why = "zeroing every candidate together leaves BoS extreme";
            } else if (tried.contains(c)) {
                why = "spare: the others bring BoS back to ordinary without it";
            } else {
                why = "not needed: BoS was ordinary before it was tried";
            }
            checks.add(new CandidateCheck(c, Math.abs(bosSite[c]) * writes.of(c), repeatActivation[c] * writes.of(c),
                    alone, chosen.contains(c), why));
        }
    }

    /**
     * Pins the chosen neurons on the first token's run; where the climb goes on, adds the best
     * repeat-scored candidates one at a time. Leaves {@link #climbStopped} null when the original
     * does not climb within the run.
     */
    void climbCheck(List<Integer> candidates, double typicalResid, Consumer<String> progress) throws OrtException {
        if (chosen.isEmpty() || originalRuns.get(0).threshold() == null) {
            return;
        }
        progress.accept("pinning " + chosen + " on the repeat run");
        climbStopped = pinnedThreshold(chosen, typicalResid) == null;
        if (climbStopped) {
            return;
        }
        List<Integer> byRepeat = candidates.stream().filter(c -> !chosen.contains(c))
                .sorted(Comparator.comparingDouble((Integer c) -> -repeatActivation[c])).toList();
        List<Integer> extended = new ArrayList<>(chosen);
        for (int c : byRepeat) {
            extended.add(c);
            if (pinnedThreshold(extended, typicalResid) == null) {
                chosen = List.copyOf(extended);
                climbStopped = true;
                return;
            }
        }
    }

    private Integer pinnedThreshold(List<Integer> neurons, double typicalResid) throws OrtException {
        long token = tokens.get(0);
        long[] ids = RepeatRuns.ids(s.bos(), token, length);
        float[] norms = runs.run(ids, feeds.pinned(layer, neurons, captured, ids.length), residOnly).get(residOut).values();
        return RepeatRuns.figures(layer, norms, typicalResid, s.bos(), token, s.sinkFactor()).threshold();
    }
}
