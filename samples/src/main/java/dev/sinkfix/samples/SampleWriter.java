package dev.sinkfix.samples;

import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.io.OwnedTemp;
import dev.sinkfix.surgery.ir.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a sample into a folder the way its exporter lays it out: {@code model.onnx} alone for
 * the PyTorch styles (weights inline), {@code model.onnx} plus {@code model.onnx.data} for genai.
 * Existing sample files in the folder are replaced, so a demo command can be run twice.
 */
public final class SampleWriter {
    public static final String MODEL_FILE = "model.onnx";
    public static final String DATA_FILE = ExternalWeights.DATA_FILE;

    private SampleWriter() {
    }

    /** Writes the sample and returns the path of its {@code model.onnx}. */
    public static Path write(SampleSpec spec, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path modelFile = dir.resolve(MODEL_FILE);
        if (spec.style() != ExportStyle.GENAI) {
            ModelSaver.create().overwrite(true).save(SpelledOutDecoder.build(spec), modelFile);
        } else {
            writeGenai(spec, dir, true);
        }
        ExporterConfig.write(spec, dir);
        return modelFile;
    }

    /**
     * Writes a genai-style model whose data file is only sized, never filled: the graph is exact
     * and every external reference points inside the file, but no weight is computed or stored,
     * so a 13 GB model costs a moment and almost no disk. For benchmarks of surgery, which never
     * reads weights; running such a model gives zeros.
     */
    public static Path writeSkeleton(SampleSpec spec, Path dir) throws IOException {
        if (spec.style() != ExportStyle.GENAI) {
            throw new IllegalArgumentException("skeletons are written in the genai style (external data), not "
                    + spec.style());
        }
        Files.createDirectories(dir);
        Path model = writeGenai(spec, dir, false);
        ExporterConfig.write(spec, dir);
        return model;
    }

    private static Path writeGenai(SampleSpec spec, Path dir, boolean materialize) throws IOException {
        ExternalWeights store = new ExternalWeights(materialize);
        Model model = NodeShuffle.shuffle(GenaiDecoder.build(spec, store), spec.seed());
        Path data = dir.resolve(DATA_FILE);
        Path dataTmp = tempBeside(data);
        try {
            store.write(dataTmp);
            Files.move(dataTmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(dataTmp);
        }
        Path modelFile = dir.resolve(MODEL_FILE);
        ModelSaver.create().overwrite(true).save(model, modelFile);
        return modelFile;
    }

    /**
     * A fresh name beside {@code file}, not yet created, carrying this process's id so the next save
     * into the folder removes it if this process is killed. ({@code Files.createTempFile} would make
     * the file owner-only, and the rename would keep that: a shared sample folder needs the umask.)
     */
    private static Path tempBeside(Path file) {
        return OwnedTemp.nameBeside(file);
    }

}
