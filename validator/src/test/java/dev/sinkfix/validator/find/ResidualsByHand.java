package dev.sinkfix.validator.find;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import dev.sinkfix.validator.ScratchModel;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typical residual norms computed apart from find's own path: the residual vectors themselves are
 * tapped ({@code tap.resid.L}, no norm in the graph), the session is fed by hand with plain ONNX
 * Runtime tensors (an empty KV cache of the export's shape), and norms and medians are taken here.
 */
final class ResidualsByHand {
    private ResidualsByHand() {
    }

    static double[] typicalNorms(Path file, List<long[]> prompts) throws Exception {
        Model model = ModelLoader.load(file);
        Decoder decoder = DecoderMatcher.match(model);
        int layers = decoder.layers().size();
        int hidden = (int) decoder.hiddenSize();
        Taps.apply(model, decoder, new TapRequest(null, false, false, Map.of(), true));
        List<List<Double>> norms = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            norms.add(new ArrayList<>());
        }
        OrtEnvironment env = Sessions.environment();
        try (ScratchModel scratch = ScratchModel.of(model);
             ModelSession session = Sessions.open(scratch.file(), SinkSamplesFindTest.CPU, w -> { })) {
            for (long[] ids : prompts) {
                long[] shape = {1, ids.length};
                long[] positions = new long[ids.length];
                long[] ones = new long[ids.length];
                Arrays.setAll(positions, t -> t);
                Arrays.fill(ones, 1);
                Map<String, OnnxTensor> feeds = new HashMap<>();
                try {
                    feeds.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
                    feeds.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
                    feeds.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
                    for (IoSpec in : session.inputs()) {
                        if (in.name().startsWith("past_key_values.")) {
                            long[] s = in.shape();
                            s[0] = 1;
                            s[2] = 0;
                            feeds.put(in.name(), OnnxTensor.createTensor(env, FloatBuffer.allocate(0), s));
                        }
                    }
                    try (OrtSession.Result result = session.run(feeds)) {
                        for (int l = 0; l < layers; l++) {
                            float[][][] resid = (float[][][]) result.get("tap.resid." + l).orElseThrow().getValue();
                            for (int t = 1; t < ids.length; t++) {
                                double sum = 0;
                                for (int i = 0; i < hidden; i++) {
                                    sum += (double) resid[0][t][i] * resid[0][t][i];
                                }
                                norms.get(l).add(Math.sqrt(sum));
                            }
                        }
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
        double[] typical = new double[layers];
        for (int l = 0; l < layers; l++) {
            List<Double> sorted = new ArrayList<>(norms.get(l));
            sorted.sort(null);
            int n = sorted.size();
            typical[l] = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
        return typical;
    }
}
