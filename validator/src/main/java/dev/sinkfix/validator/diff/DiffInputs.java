package dev.sinkfix.validator.diff;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.Tensors;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.DataType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The inputs {@code diff} feeds both models: given (from a file), or generated from the first
 * model's input signature with a seed. Generated: symbolic batch dimensions are 1, past-length
 * dimensions (and every open dimension of a {@code past*} input) 0, other sequence dimensions 4
 * (total lengths follow, as past + 4); token ids lie in the vocabulary, masks are ones, position
 * ids count up, floating-point inputs are standard normal.
 */
public final class DiffInputs {
    static final int SEQUENCE = 4;

    /** One input: its shape and its elements in row-major order (as doubles, cast to the input's type). */
    public record Given(long[] shape, double[] data) {
    }

    private DiffInputs() {
    }

    /** A value of every input of {@code session}: from {@code given} where it names it, generated otherwise. */
    public static Map<String, Given> complete(ModelSession session, Map<String, Given> given, long seed) {
        Map<String, Given> inputs = new LinkedHashMap<>();
        Map<String, Long> dims = new HashMap<>();
        SplittableRandom random = new SplittableRandom(seed);
        long vocab = vocab(session);
        for (IoSpec in : session.inputs()) {
            Given g = given.get(in.name());
            inputs.put(in.name(), g != null ? g : generate(in, dims, random, vocab));
        }
        for (String name : given.keySet()) {
            if (!inputs.containsKey(name)) {
                throw new BadInputException("the inputs file names '" + name + "', which the model does not have; its "
                        + "inputs are " + String.join(", ", inputs.keySet()));
            }
        }
        return inputs;
    }

    private static long vocab(ModelSession session) {
        for (IoSpec out : session.outputs()) {
            if (out.name().contains("logits") && out.rank() > 0 && out.shape()[out.rank() - 1] > 0) {
                return out.shape()[out.rank() - 1];
            }
        }
        return 100;
    }

    private static Given generate(IoSpec in, Map<String, Long> dims, SplittableRandom random, long vocab) {
        long[] shape = in.shape();
        String lower = in.name().toLowerCase(Locale.ROOT);
        for (int axis = 0; axis < shape.length; axis++) {
            if (shape[axis] >= 0) {
                continue;
            }
            String dim = axis < in.dimNames().size() && in.dimNames().get(axis) != null ? in.dimNames().get(axis) : "";
            String d = dim.toLowerCase(Locale.ROOT);
            long size;
            if (d.contains("batch") || (d.isEmpty() && axis == 0)) {
                size = 1;
            } else if (d.contains("total") || d.contains("+") || lower.equals("attention_mask")) {
                // A total length ("past_sequence_length + sequence_length"): past 0 plus this call's tokens.
                size = SEQUENCE;
            } else if (d.contains("past") || (lower.startsWith("past") && axis > 0)) {
                size = 0;
            } else {
                size = d.isEmpty() ? SEQUENCE : dims.computeIfAbsent(d, k -> (long) SEQUENCE);
            }
            shape[axis] = size;
        }
        int count = Math.toIntExact(Arrays.stream(shape).reduce(1, (x, y) -> x * y));
        double[] data = new double[count];
        DataType t = in.dtype();
        boolean integer = t == DataType.INT64 || t == DataType.INT32;
        if (lower.equals("attention_mask")) {
            Arrays.fill(data, 1);
        } else if (lower.equals("position_ids") && shape.length == 2) {
            for (int i = 0; i < count; i++) {
                data[i] = i % shape[1];
            }
        } else if (integer) {
            for (int i = 0; i < count; i++) {
                data[i] = random.nextLong(Math.max(1, vocab));
            }
        } else {
            for (int i = 0; i < count; i++) {
                data[i] = gaussian(random);
            }
        }
        return new Given(shape, data);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Native tensors of {@code inputs} in the types {@code session} wants; the caller closes them. */
    static Map<String, OnnxTensor> tensors(ModelSession session, Map<String, Given> inputs) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (IoSpec in : session.inputs()) {
                Given g = inputs.get(in.name());
                if (g == null) {
                    throw new BadInputException("the model " + session.model() + " needs the input " + in
                            + ", which the first model does not have; give it in --inputs");
                }
                long count = Arrays.stream(g.shape()).reduce(1, (x, y) -> x * y);
                if (count != g.data().length) {
                    throw new BadInputException("input " + in.name() + ": shape " + Arrays.toString(g.shape()) + " holds "
                            + count + " values, got " + g.data().length);
                }
                feeds.put(in.name(), tensor(in, g));
            }
            return feeds;
        } catch (OrtException | RuntimeException e) {
            feeds.values().forEach(OnnxTensor::close);
            throw e;
        }
    }

    private static OnnxTensor tensor(IoSpec in, Given g) throws OrtException {
        double[] d = g.data();
        switch (in.dtype()) {
            case INT64 -> {
                long[] v = new long[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = (long) d[i];
                }
                return Tensors.int64(v, g.shape());
            }
            case INT32 -> {
                int[] v = new int[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = (int) d[i];
                }
                return Tensors.int32(v, g.shape());
            }
            case FLOAT, FLOAT16, BFLOAT16 -> {
                float[] v = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = (float) d[i];
                }
                return Tensors.floating(in.dtype(), v, g.shape());
            }
            default -> throw new BadInputException("cannot feed the input " + in + ": diff feeds int64, int32, float, "
                    + "float16 and bfloat16 inputs");
        }
    }

    /** For messages: {@code input_ids [1, 4]}. */
    public static List<String> describe(Map<String, Given> inputs) {
        return inputs.entrySet().stream().map(e -> e.getKey() + " " + Arrays.toString(e.getValue().shape())).toList();
    }
}
