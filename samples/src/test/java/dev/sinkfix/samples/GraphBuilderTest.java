package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphBuilderTest {
    @TempDir
    Path dir;

    /** {@code (x W + 1) * 2} with fp16 values chosen to be exact, so the result must match to the bit. */
    @Test
    void aTinyGraphRunsInOnnxRuntime() throws Exception {
        GraphBuilder b = GraphBuilder.create(NamingScheme.torchScript(), 17);
        Value x = b.input("x", DataType.FLOAT16, Dim.named("batch"), Dim.of(2));
        Value w = b.initializer("onnx::MatMul_1", DataType.FLOAT16, new long[] {2, 3},
                new float[] {1, 2, 3, 4, 5, 6.00390625f});
        b.scope("/model/proj");
        Value y = b.mul(b.add(b.matmul(x, w), b.scalar(1f, DataType.FLOAT16)), b.scalar(2f, DataType.FLOAT16));
        b.output(y, DataType.FLOAT16, Dim.named("batch"), Dim.of(3));
        assertEquals("/model/proj/MatMul_output_0", y.producer().input(0).producer().input(0).name());
        assertEquals("/model/proj/Mul", y.producer().name());

        Path file = dir.resolve("tiny.onnx");
        Model model = b.model(8);
        ModelSaver.create().save(model, file);
        float[] input = {1f, -1f};
        try (OrtRunner runner = new OrtRunner(file)) {
            HostTensor out = runner.run(Map.of("x", new HostTensor(DataType.FLOAT16, new long[] {1, 2}, input))).get(y.name());
            Tolerance.assertClose("y", new float[] {(1 - 4 + 1) * 2, (2 - 5 + 1) * 2, (3 - 6.00390625f + 1) * 2},
                    Tolerance.floats(out), 0f);
        }
    }

    @Test
    void genaiNamingSharesConstantsAndDynamoNamingHasNoScopes() {
        GraphBuilder genai = GraphBuilder.create(NamingScheme.genaiBuilder(), 14);
        Value a = genai.constant(1, 1, 1, 1);
        assertEquals(a, genai.constant(1, 1, 1, 1));
        assertEquals("/model/constants/TensorProto.INT64/1D/1, 1, 1, 1", a.name());
        assertEquals("/model/constant_nodes/TensorProto.INT64/0D/-1", genai.scalar(-1).producer().name());

        GraphBuilder dynamo = GraphBuilder.create(NamingScheme.dynamo(), 18);
        Value x = dynamo.input("x", DataType.FLOAT, Dim.of(2));
        dynamo.scope("/model/layers.0/mlp");
        Value s = dynamo.add(x, x);
        Value t = dynamo.add(s, x);
        assertEquals("add", s.name());
        assertEquals("add_1", t.name());
        assertEquals("node_Add_1", t.producer().name());
    }
}
