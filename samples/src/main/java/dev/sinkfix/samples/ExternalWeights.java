package dev.sinkfix.samples;

import com.google.protobuf.ByteString;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One external data file ({@code model.onnx.data}) being laid out: each weight gets the next
 * offset, packed back to back as the genai builder packs them. With {@code materialize} off, no
 * weight is ever computed and the file is only sized (sparse), so a 7B-shaped model can be
 * "written" in a moment for benchmarks of surgery, which never reads weights.
 */
final class ExternalWeights {
    static final String DATA_FILE = "model.onnx.data";

    private final boolean materialize;
    private final boolean inline;
    private final List<ByteString> chunks = new ArrayList<>();
    private long size;

    ExternalWeights(boolean materialize) {
        this(materialize, false);
    }

    private ExternalWeights(boolean materialize, boolean inline) {
        this.materialize = materialize;
        this.inline = inline;
    }

    /**
     * A store that keeps every weight inline in the graph: for a pass that must read the weights
     * (a quantizer) before the data file is laid out with {@link #addRaw}.
     */
    static ExternalWeights inline() {
        return new ExternalWeights(true, true);
    }

    /** Lays out a float weight stored as {@code dtype}; {@code values} is only called when materializing. */
    Tensor add(String name, DataType dtype, long[] dims, Supplier<float[]> values) {
        long count = 1;
        for (long d : dims) {
            count = Math.multiplyExact(count, d);
        }
        long length = dtype.byteSize(count);
        long offset = size;
        size += length;
        if (materialize) {
            ByteString bytes = TensorBytes.floats(values.get(), dtype);
            if (bytes.size() != length) {
                throw new IllegalStateException("weight '" + name + "' has " + bytes.size() + " bytes, its shape needs "
                        + length);
            }
            if (inline) {
                size = offset;
                return Tensor.ofRaw(name, dtype, dims, bytes);
            }
            chunks.add(bytes);
        }
        return Tensor.ofExternal(name, dtype, dims, DATA_FILE, offset, length);
    }

    /** Lays out bytes already in their stored form (quantized blocks, scales) at the next offset. */
    Tensor addRaw(String name, DataType dtype, long[] dims, ByteString bytes) {
        long offset = size;
        size += bytes.size();
        chunks.add(bytes);
        return Tensor.ofExternal(name, dtype, dims, DATA_FILE, offset, bytes.size());
    }

    long size() {
        return size;
    }

    /** Writes the data file: every weight's bytes, or (not materializing) a sparse file of the right size. */
    void write(Path file) throws IOException {
        if (!materialize) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
            }
            return;
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (ByteString chunk : chunks) {
                for (ByteBuffer b : chunk.asReadOnlyByteBufferList()) {
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
            }
            out.force(true);
        }
    }
}
