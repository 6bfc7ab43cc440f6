package dev.sinkfix.surgery.io;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.StringStringEntryProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Moves the main graph's large inline initializers into one external data file, for a model
 * whose weights would not fit in a protobuf message (2 GiB). Each tensor starts on a 4 KiB
 * boundary so runtimes can map it.
 */
final class Externalizer {
    private static final int MIN_BYTES = 1024;
    private static final long ALIGN = 4096;
    private final Path dataFile;
    private final Progress progress;

    Externalizer(Path dataFile, Progress progress) {
        this.dataFile = dataFile;
        this.progress = progress;
    }

    ModelProto moveWeightsOut(ModelProto proto, String location, boolean overwrite) throws IOException {
        if (Files.exists(dataFile) && !overwrite) {
            throw new BadInputException("the weights need an external data file " + dataFile
                    + ", which already exists (remove it or allow overwriting with --force)");
        }
        GraphProto.Builder graph = proto.getGraph().toBuilder();
        long total = 0;
        for (TensorProto t : graph.getInitializerList()) {
            total += t.getRawData().size();
        }
        Path tmp = ModelSaver.tempBeside(dataFile);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long offset = 0;
                for (int i = 0; i < graph.getInitializerCount(); i++) {
                    TensorProto t = graph.getInitializer(i);
                    ByteString raw = t.getRawData();
                    if (raw.size() < MIN_BYTES) {
                        continue;
                    }
                    offset = (offset + ALIGN - 1) / ALIGN * ALIGN;
                    long position = offset;
                    for (ByteBuffer b : raw.asReadOnlyByteBufferList()) {
                        while (b.hasRemaining()) {
                            position += out.write(b, position);
                        }
                    }
                    graph.setInitializer(i, t.toBuilder().clearRawData()
                            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                            .clearExternalData()
                            .addExternalData(entry("location", location))
                            .addExternalData(entry("offset", Long.toString(offset)))
                            .addExternalData(entry("length", Integer.toString(raw.size()))));
                    offset = position;
                    progress.update("writing " + dataFile.getFileName(), offset, total);
                }
                out.force(true);
            }
            Files.move(tmp, dataFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return proto.toBuilder().setGraph(graph).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
