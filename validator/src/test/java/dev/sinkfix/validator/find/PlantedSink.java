package dev.sinkfix.validator.find;

import com.google.protobuf.ByteString;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.io.TensorValues;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.GatedMlp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A sink planted another way than {@code SinkSample}'s (which detects "a token like every token
 * before it" in layer 0's attention): the BoS embedding alone owns residual dimension
 * {@link #DIRECTION} (every other token's entry there is zeroed), the gate and up columns of
 * {@link #NEURONS} in layer {@link #LAYER} read only that dimension, and their {@code down_proj}
 * rows write only dimension {@link #MASSIVE}, hard. Three neurons of unequal strength, in the last
 * layer of the 3-layer Mistral sample; it depends on the token id, so repeats do not climb.
 */
final class PlantedSink {
    static final String BASE = "mistral-torch-fp32";
    static final int LAYER = 2;
    static final List<Integer> NEURONS = List.of(11, 70, 150);
    static final int DIRECTION = 5;
    static final int MASSIVE = 40;
    static final long BOS = 1;
    private static final float[] READ = {3.0f, 2.5f, 2.0f};
    private static final float WRITE = 2.0f;

    private PlantedSink() {
    }

    static Path write(Path dir) throws IOException {
        Path base = Samples.write(BASE, dir.resolve("base"));
        Model model = ModelLoader.load(base);
        Decoder decoder = DecoderMatcher.match(model);
        Value embedding = decoder.embeddings().producer().input(0);
        int hidden = (int) decoder.hiddenSize();
        float[] e = values(model, embedding);
        for (int v = 0; v < e.length / hidden; v++) {
            e[v * hidden + DIRECTION] = v == BOS ? 6f : 0f;
        }
        set(model, embedding, e);
        GatedMlp mlp = decoder.layer(LAYER).mlp();
        int width = (int) mlp.intermediateSize();
        for (Value w : List.of(mlp.gate().node().input(1), mlp.up().node().input(1))) {
            float[] m = values(model, w);
            for (int i = 0; i < NEURONS.size(); i++) {
                for (int r = 0; r < hidden; r++) {
                    m[r * width + NEURONS.get(i)] = r == DIRECTION ? READ[i] : 0f;
                }
            }
            set(model, w, m);
        }
        Value down = mlp.down().node().input(1);
        float[] d = values(model, down);
        for (int n : NEURONS) {
            for (int c = 0; c < hidden; c++) {
                d[n * hidden + c] = c == MASSIVE ? WRITE : 0f;
            }
        }
        set(model, down, d);
        Path out = dir.resolve("planted").resolve("model.onnx");
        Files.createDirectories(out.getParent());
        ModelSaver.create().save(model, out);
        return out;
    }

    private static float[] values(Model model, Value v) throws IOException {
        if (!v.isInitializer() || v.initializer().dtype() != DataType.FLOAT) {
            throw new IllegalStateException(v + " is not an fp32 initializer in " + BASE);
        }
        return TensorValues.read(v.initializer(), model.baseDir());
    }

    private static void set(Model model, Value v, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Tensor old = v.initializer();
        long[] dims = old.dims().stream().mapToLong(Long::longValue).toArray();
        model.graph().setInitializer(v, Tensor.ofRaw(old.name(), DataType.FLOAT, dims, ByteString.copyFrom(b.array())));
    }
}
