package dev.sinkfix.samples;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.TypeProto;
import dev.sinkfix.onnx.Onnx.ValueInfoProto;
import dev.sinkfix.surgery.ir.DataType;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * MinMax calibration, as {@code quantize_static} runs it: the float model runs under ONNX Runtime
 * on calibration inputs with every tensor to quantize exposed as an output, and each tensor's range
 * is its smallest and largest value over them. The inputs are seeded: four rows of BoS and 31
 * random tokens, one prefill with an empty cache, so the same sample always gets the same scales.
 */
final class QdqCalibration {
    private static final int ROWS = 4;
    private static final int LENGTH = 32;

    private QdqCalibration() {
    }

    static Map<String, float[]> ranges(ModelProto floatModel, SampleSpec spec, Set<String> tensors) throws IOException {
        ModelProto.Builder exposed = floatModel.toBuilder();
        Set<String> declared = new java.util.HashSet<>();
        exposed.getGraph().getOutputList().forEach(o -> declared.add(o.getName()));
        for (String t : tensors) {
            if (!declared.contains(t)) {
                exposed.getGraphBuilder().addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT.code()))));
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(exposed.build().toByteArray(), options)) {
                feed(env, spec, session, feeds);
                Map<String, float[]> ranges = new HashMap<>();
                try (OrtSession.Result result = session.run(feeds, tensors)) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        ranges.put(e.getKey(), range(((OnnxTensor) e.getValue()).getFloatBuffer()));
                    }
                }
                return ranges;
            }
        } catch (OrtException e) {
            throw new IOException("calibrating the QDQ sample under ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static void feed(OrtEnvironment env, SampleSpec spec, OrtSession session, Map<String, OnnxTensor> feeds)
            throws OrtException {
        SplittableRandom random = new SplittableRandom(spec.seed());
        long[] ids = new long[ROWS * LENGTH];
        long[] ones = new long[ROWS * LENGTH];
        long[] positions = new long[ROWS * LENGTH];
        for (int r = 0; r < ROWS; r++) {
            for (int t = 0; t < LENGTH; t++) {
                ids[r * LENGTH + t] = t == 0 ? 1 : 3 + random.nextInt(spec.vocab() - 3);
                ones[r * LENGTH + t] = 1;
                positions[r * LENGTH + t] = t;
            }
        }
        long[] tokens = {ROWS, LENGTH};
        for (String name : session.getInputNames()) {
            OnnxTensor t;
            if (name.equals("input_ids")) {
                t = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), tokens);
            } else if (name.equals("attention_mask")) {
                t = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), tokens);
            } else if (name.equals("position_ids")) {
                t = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), tokens);
            } else if (name.startsWith("past_key_values.")) {
                t = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {ROWS, spec.kvHeads(), 0,
                        spec.headDim()});
            } else {
                throw new IllegalStateException("the float sample has an input the calibration does not know: " + name);
            }
            feeds.put(name, t);
        }
    }

    private static float[] range(FloatBuffer values) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        while (values.hasRemaining()) {
            float v = values.get();
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return new float[] {lo, hi};
    }
}
