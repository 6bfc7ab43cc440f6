package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.onnx.Onnx.OperatorSetIdProto;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.ir.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model stamped with an opset past the bundled ONNX Runtime's: one line naming both, exit 3 (runtime failure). */
class OpsetTooNewTest {
    @TempDir
    Path tmp;

    @Test
    void runSaysWhichOpsetAndWhichRuntimeInOneLine() throws Exception {
        Model m = ModelLoader.load(Samples.write("llama-dynamo-fp32", tmp.resolve("src")));
        Model stamped = new Model(m.extras().toBuilder().clearOpsetImport().setIrVersion(10)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(27)).build(), m.graph(),
                m.metadata(), m.source());
        Path file = Files.createDirectories(tmp.resolve("o27")).resolve("model.onnx");
        ModelSaver.create().save(stamped, file);
        Cli.Outcome r = Cli.run("run", file.toString(), "--ids", "1,2,3", "--device", "cpu");
        assertEquals(ExitCodes.RUNTIME_FAILURE, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.contains("the model imports ai.onnx opset 27, newer than the bundled ONNX Runtime 1.29"), line);
        assertTrue(line.contains("supports (up to opset 26)"), line);
    }
}
