package dev.sinkfix.validator.find;

import ai.onnxruntime.OrtException;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.validator.probe.RepeatProbe;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per early layer, what BoS alone and varied text give: the BoS residual and MLP output norms,
 * the site's activations at BoS, and typical values (medians over the positions after BoS of
 * every varied prompt): norms, and |activation| per neuron.
 */
final class Observations {
    final Map<Integer, Double> bosResid = new HashMap<>();
    final Map<Integer, Double> bosMlp = new HashMap<>();
    final Map<Integer, float[]> bosSite = new HashMap<>();
    final Map<Integer, Double> typicalResid = new HashMap<>();
    final Map<Integer, Double> typicalMlp = new HashMap<>();
    final Map<Integer, float[]> typicalSite = new HashMap<>();

    static Observations run(TokenRuns runs, List<Integer> layers, MlpSite site, int width, long bos,
                            List<long[]> varied, Map<String, HostTensor> identity) throws OrtException {
        Set<String> wanted = new HashSet<>();
        for (int l : layers) {
            wanted.add(Names.resid(l));
            wanted.add(Names.mlp(l));
            wanted.add(Names.site(l, site));
        }
        Observations o = new Observations();
        Map<String, HostTensor> alone = runs.run(new long[] {bos}, identity, wanted);
        for (int l : layers) {
            o.bosResid.put(l, (double) alone.get(Names.resid(l)).values()[0]);
            o.bosMlp.put(l, (double) alone.get(Names.mlp(l)).values()[0]);
            o.bosSite.put(l, alone.get(Names.site(l, site)).values().clone());
        }
        int positions = 0;
        for (long[] p : varied) {
            positions += p.length - 1;
        }
        Map<Integer, float[]> resid = new HashMap<>();
        Map<Integer, float[]> mlp = new HashMap<>();
        Map<Integer, float[][]> sites = new HashMap<>();
        for (int l : layers) {
            resid.put(l, new float[positions]);
            mlp.put(l, new float[positions]);
            sites.put(l, new float[width][positions]);
        }
        int at = 0;
        for (long[] prompt : varied) {
            Map<String, HostTensor> out = runs.run(prompt, identity, wanted);
            int n = prompt.length - 1;
            for (int l : layers) {
                System.arraycopy(out.get(Names.resid(l)).values(), 1, resid.get(l), at, n);
                System.arraycopy(out.get(Names.mlp(l)).values(), 1, mlp.get(l), at, n);
                float[] values = out.get(Names.site(l, site)).values();
                float[][] perNeuron = sites.get(l);
                for (int t = 1; t <= n; t++) {
                    for (int k = 0; k < width; k++) {
                        perNeuron[k][at + t - 1] = Math.abs(values[t * width + k]);
                    }
                }
            }
            at += n;
        }
        for (int l : layers) {
            o.typicalResid.put(l, RepeatProbe.median(resid.get(l)));
            o.typicalMlp.put(l, RepeatProbe.median(mlp.get(l)));
            float[] typical = new float[width];
            for (int k = 0; k < width; k++) {
                typical[k] = (float) RepeatProbe.median(sites.get(l)[k]);
            }
            o.typicalSite.put(l, typical);
        }
        return o;
    }
}
