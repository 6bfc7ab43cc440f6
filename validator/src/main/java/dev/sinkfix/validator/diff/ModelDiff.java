package dev.sinkfix.validator.diff;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.validator.Tolerance;
import dev.sinkfix.validator.Tolerances;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.io.Scratch;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code diff}: runs two models on the same inputs and compares the outputs they share by name.
 * Outputs go one at a time, so memory stays near the size of one output: A's output is run
 * alone and written to a temporary file, freed, then B's is run and compared against the file
 * in chunks, read in place from ONNX Runtime's buffer.
 */
public final class ModelDiff {
    private static final int CHUNK = 1 << 22;

    private ModelDiff() {
    }

    /**
     * @param outputs    the outputs to compare; empty for every shared one
     * @param atol       absolute tolerance for every output, or null for the dtype's default
     * @param rtol       relative tolerance for every output, or null for the dtype's default
     * @param atolByName absolute tolerance for named outputs
     * @param rtolByName relative tolerance for named outputs
     * @param inputs     inputs given by the user (the rest is generated)
     */
    public record Options(SessionConfig config, List<String> outputs, Double atol, Double rtol,
                          Map<String, Double> atolByName, Map<String, Double> rtolByName,
                          Map<String, DiffInputs.Given> inputs, long seed) {
    }

    public record Report(String a, String b, String device, List<String> inputs, List<OutputDiff> outputs,
                         List<String> onlyInA, List<String> onlyInB) {
        public boolean passed() {
            return outputs.stream().allMatch(OutputDiff::passed);
        }
    }

    public static Report run(Path a, Path b, Options o, Consumer<String> warnings) throws OrtException, IOException {
        SessionConfig config = o.config().withCpuArena(false).withMemoryPattern(false);
        try (ModelSession sa = Sessions.open(a, config, warnings); ModelSession sb = Sessions.open(b, config, w -> { })) {
            List<String> namesA = sa.outputs().stream().map(IoSpec::name).toList();
            List<String> namesB = sb.outputs().stream().map(IoSpec::name).toList();
            List<String> shared = namesA.stream().filter(namesB::contains).toList();
            List<String> wanted = o.outputs().isEmpty() ? shared : o.outputs();
            for (String name : wanted) {
                if (!shared.contains(name)) {
                    throw new BadInputException("output '" + name + "' is not in both models; the outputs they share are "
                            + (shared.isEmpty() ? "none" : String.join(", ", shared)));
                }
            }
            if (wanted.isEmpty()) {
                throw new BadInputException("the models share no output by name (A has " + String.join(", ", namesA)
                        + "; B has " + String.join(", ", namesB) + ")");
            }
            for (String name : concat(o.atolByName().keySet(), o.rtolByName().keySet())) {
                if (!wanted.contains(name)) {
                    throw new BadInputException("a tolerance names '" + name + "', which is not compared; compared: "
                            + String.join(", ", wanted));
                }
            }
            Map<String, DiffInputs.Given> inputs = DiffInputs.complete(sa, o.inputs(), o.seed());
            List<OutputDiff> diffs = new ArrayList<>();
            for (String name : wanted) {
                diffs.add(compare(sa, sb, inputs, name, o));
            }
            return new Report(a.toString(), b.toString(), sa.provider().id(), DiffInputs.describe(inputs), diffs,
                    namesA.stream().filter(n -> !namesB.contains(n)).toList(),
                    namesB.stream().filter(n -> !namesA.contains(n)).toList());
        }
    }

    private static List<String> concat(Set<String> x, Set<String> y) {
        List<String> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }

    private static OutputDiff compare(ModelSession sa, ModelSession sb, Map<String, DiffInputs.Given> inputs,
                                      String name, Options o) throws OrtException, IOException {
        Path spill = Scratch.newFile(".bin");
        try {
            long[] shapeA;
            DataType typeA;
            try (FileChannel file = FileChannel.open(spill, StandardOpenOption.WRITE)) {
                try (Run run = Run.of(sa, inputs, name)) {
                    shapeA = run.shape;
                    typeA = run.dtype;
                    ByteBuffer view = run.view();
                    while (view.hasRemaining()) {
                        file.write(view);
                    }
                }
            }
            try (Run run = Run.of(sb, inputs, name); FileChannel file = FileChannel.open(spill, StandardOpenOption.READ)) {
                Tolerance tol = tolerance(name, typeA, o);
                if (!Arrays.equals(shapeA, run.shape) || typeA != run.dtype) {
                    return new OutputDiff(name, typeA.onnxName(), shapeA, tol, 0, 0, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, null, Double.NaN, Double.NaN, "A gives " + typeA.onnxName()
                            + Arrays.toString(shapeA) + ", B gives " + run.dtype.onnxName() + Arrays.toString(run.shape));
                }
                return stream(name, typeA, shapeA, tol, file, run.view());
            }
        } finally {
            Scratch.release(spill);
        }
    }

    private static Tolerance tolerance(String name, DataType dtype, Options o) {
        Tolerance base = dtype.isFloatingPoint() ? Tolerances.unchanged(dtype) : Tolerance.EXACT;
        double abs = o.atolByName().getOrDefault(name, o.atol() != null ? o.atol() : base.absolute());
        double rel = o.rtolByName().getOrDefault(name, o.rtol() != null ? o.rtol() : base.relative());
        return new Tolerance(abs, rel);
    }

    private static OutputDiff stream(String name, DataType dtype, long[] shape, Tolerance tol, FileChannel fileA,
                                     ByteBuffer b) throws IOException {
        int size = elementSize(dtype);
        long count = b.remaining() / size;
        ErrorStats stats = new ErrorStats(count);
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK - CHUNK % size).order(ByteOrder.nativeOrder());
        long index = 0;
        while (index < count) {
            chunk.clear();
            while (chunk.hasRemaining() && fileA.read(chunk) > 0) {
                // fill the chunk
            }
            chunk.flip();
            int n = chunk.remaining() / size;
            for (int i = 0; i < n; i++, index++) {
                double va = read(chunk, i * size, dtype);
                double vb = read(b, (int) (index * size), dtype);
                stats.add(index, va, vb, tol);
            }
            if (n == 0) {
                throw new IOException("the spilled output of A ended early at element " + index + " of " + count);
            }
        }
        long[] first = stats.first < 0 ? null : unravel(stats.first, shape);
        return new OutputDiff(name, dtype.onnxName(), shape, tol, count, stats.exceeding, stats.maxAbs, stats.maxRel,
                count == 0 ? 0 : stats.sumAbs / count, stats.p99(), first, stats.firstA, stats.firstB, null);
    }

    static long[] unravel(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            index[axis] = shape[axis] == 0 ? 0 : flat % shape[axis];
            flat = shape[axis] == 0 ? 0 : flat / shape[axis];
        }
        return index;
    }

    static int elementSize(DataType t) {
        return switch (t) {
            case FLOAT, INT32 -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            case DOUBLE, INT64 -> 8;
            case INT8, UINT8, BOOL -> 1;
            default -> throw new BadInputException("diff compares float, float16, bfloat16, double, int64, int32, "
                    + "int8, uint8 and bool outputs; got " + t.onnxName());
        };
    }

    static double read(ByteBuffer buf, int at, DataType t) {
        return switch (t) {
            case FLOAT -> buf.getFloat(at);
            case FLOAT16 -> halfToFloat(buf.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((buf.getShort(at) & 0xffff) << 16);
            case DOUBLE -> buf.getDouble(at);
            case INT64 -> buf.getLong(at);
            case INT32 -> buf.getInt(at);
            case UINT8 -> buf.get(at) & 0xff;
            default -> buf.get(at);
        };
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** One output of one run, viewed in place in ONNX Runtime's memory until closed. */
    private static final class Run implements AutoCloseable {
        private static final Method BUFFER = bufferMethod();
        final OrtSession.Result result;
        final OnnxTensor tensor;
        final long[] shape;
        final DataType dtype;

        private Run(OrtSession.Result result, OnnxTensor tensor) {
            this.result = result;
            this.tensor = tensor;
            TensorInfo info = tensor.getInfo();
            this.shape = info.getShape();
            this.dtype = DataType.valueOf(info.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", ""));
        }

        static Run of(ModelSession session, Map<String, DiffInputs.Given> inputs, String name) throws OrtException {
            Map<String, OnnxTensor> feeds = DiffInputs.tensors(session, inputs);
            try {
                OrtSession.Result result = session.run(feeds, Set.of(name));
                OnnxValue value = result.get(name).orElseThrow();
                if (!(value instanceof OnnxTensor tensor)) {
                    result.close();
                    throw new BadInputException("output '" + name + "' is a " + value.getType() + ", not a tensor");
                }
                return new Run(result, tensor);
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        /**
         * The tensor's bytes without a copy where ONNX Runtime's Java API allows it (its buffer
         * accessor is private; the public getters copy the whole tensor onto the heap, which
         * would double the memory a large output takes), a copy otherwise.
         */
        ByteBuffer view() {
            if (BUFFER != null) {
                try {
                    return ((ByteBuffer) BUFFER.invoke(tensor)).order(ByteOrder.nativeOrder());
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // fall through to the copy
                }
            }
            return tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        }

        private static Method bufferMethod() {
            try {
                Method m = OnnxTensor.class.getDeclaredMethod("getBuffer");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public void close() {
            result.close();
        }
    }
}
