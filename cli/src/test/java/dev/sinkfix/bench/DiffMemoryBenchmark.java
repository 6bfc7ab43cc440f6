package dev.sinkfix.bench;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.validator.diff.ModelDiff;
import dev.sinkfix.validator.diff.OutputDiff;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code diff}'s memory on large outputs: two tiny models whose one output is {@code x * scale}
 * expanded to {@code ELEMENTS} floats (500 MB), scales 1 and 1 + 1e-3. Prints the peak resident
 * set (VmHWM) before and after the diff against twice the output's size. Run with a small heap
 * (the script gives -Xmx256m): a copy of an output onto the Java heap would not fit.
 * Usage: benchmarks/diff-memory.sh [ELEMENTS]
 */
public final class DiffMemoryBenchmark {
    public static void main(String[] args) throws Exception {
        long elements = args.length > 0 ? Long.parseLong(args[0]) : 125_000_000L;
        Path dir = Files.createTempDirectory("sinkfix-diff-bench");
        Path a = model(dir, "a", 1f, elements);
        Path b = model(dir, "b", 1f + 1e-3f, elements);
        double outputMb = elements * 4 / 1e6;
        System.out.printf("two models, one output of %d floats (%.0f MB) each%n", elements, outputMb);
        System.out.printf("peak RSS before the diff (the JVM alone): %.0f MB%n", hwmMb());
        long start = System.nanoTime();
        ModelDiff.Report r = ModelDiff.run(a, b, new ModelDiff.Options(SessionConfig.defaults().withDevice(Device.CPU),
                List.of(), null, 1e-2, Map.of(), Map.of(), Map.of(), 1), w -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        OutputDiff y = r.outputs().get(0);
        double peak = hwmMb();
        System.out.printf("diff: %s, max rel %.3g, p99 abs %.3g, %d elements, %.1f s%n", y.passed() ? "PASSED" : "FAILED",
                y.maxRel(), y.p99Abs(), y.count(), seconds);
        System.out.printf("peak RSS of the process: %.0f MB = %.2f x the output (limit 2 x = %.0f MB): %s%n", peak,
                peak / outputMb, 2 * outputMb, peak < 2 * outputMb ? "OK" : "OVER");
    }

    private static Path model(Path dir, String name, float scale, long elements) throws Exception {
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DataType.FLOAT, Dim.of(1)));
        Value s = g.addInitializer(Tensor.ofRaw("scale", DataType.FLOAT, new long[0], ByteString.copyFrom(
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale).array())));
        Value shape = g.addInitializer(Tensor.ofRaw("shape", DataType.INT64, new long[] {1}, ByteString.copyFrom(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(elements).array())));
        Value scaled = g.addNode("Mul", "", "scaled", List.of(x, s), List.of("scaled")).output(0);
        g.addOutput(g.addNode("Expand", "", "big", List.of(scaled, shape), List.of("y")).output(0));
        ModelProto header = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        Path file = dir.resolve(name + ".onnx");
        ModelSaver.create().save(new Model(header, g, Map.of(), null), file);
        return file;
    }

    private static double hwmMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 1e6;
            }
        }
        return Double.NaN;
    }
}
