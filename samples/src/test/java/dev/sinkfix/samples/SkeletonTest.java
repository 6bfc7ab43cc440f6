package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Llama-2-7B-shaped genai model for surgery benchmarks: the real graph, a sparse 13 GB data file. */
class SkeletonTest {
    @TempDir
    Path dir;

    @Test
    void writesASparse7bModelQuickly() throws Exception {
        long freeBefore = Files.getFileStore(dir).getUsableSpace();
        long start = System.nanoTime();
        Path model = Samples.writeLlama2_7bSkeleton(dir);
        double seconds = (System.nanoTime() - start) / 1e9;
        long freeAfter = Files.getFileStore(dir).getUsableSpace();

        Path data = dir.resolve(SampleWriter.DATA_FILE);
        SampleSpec spec = Samples.llama2_7bShape();
        long expected = spec.parameterCount() * 2 + 2L * spec.maxPositions() * (spec.headDim() / 2) * 2;
        assertEquals(expected, Files.size(data), "fp16 weights plus rotary caches");
        assertTrue(Files.size(data) > 13_000_000_000L, "about 13.5 GB: " + Files.size(data));
        assertTrue(seconds < 5, "writing took " + seconds + " s");
        assertTrue(freeBefore - freeAfter < 512L << 20,
                "the data file must be sparse, but free space fell by " + (freeBefore - freeAfter) + " bytes");
        assertTrue(Files.size(model) < 2_000_000, "the graph alone is small: " + Files.size(model));

        // The loader refuses any reference outside the file; check the layout explicitly too.
        Model m = ModelLoader.load(model);
        assertEquals(32, m.graph().opHistogram().get("com.microsoft:MultiHeadAttention"));
        long end = 0;
        for (Value v : m.graph().initializers()) {
            Tensor t = v.initializer();
            Tensor.ExternalRef ref = t.external();
            long offset = Long.parseLong(ref.offset());
            long length = Long.parseLong(ref.length());
            assertEquals(t.byteSize(), length, v.name() + " length");
            assertTrue(offset >= 0 && offset + length <= Files.size(data), v.name() + " lies outside the data file");
            end = Math.max(end, offset + length);
        }
        assertEquals(Files.size(data), end, "the weights fill the data file exactly");
    }
}
