package dev.sinkfix.surgery.io;

import com.google.protobuf.CodedOutputStream;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a model so that nothing is lost and nothing is half-written: every file goes to a
 * temporary name in the target folder, is flushed to disk, then atomically renamed. The input
 * model and every file it references are never opened for writing. Temporary names carry the
 * owner's process id ({@link OwnedTemp}): a save removes those a killed save left in its folder.
 *
 * <p>A data file saved into another folder is a copy-on-write clone where the file system makes
 * one, else a hard link (the same file as the input's: writing either in place changes both; the
 * result says so), else a copy. {@link #copyData} asks for a file of its own: a clone or a copy.
 */
public final class ModelSaver {
    /** Inline weights beyond this go to external data: protobuf refuses messages of 2 GiB. */
    static final long DEFAULT_INLINE_LIMIT = ModelLoader.MAX_MODEL_FILE - (64L << 20);
    private final boolean overwrite;
    private final Progress progress;
    private final long inlineLimit;
    private final boolean copyData;

    private ModelSaver(boolean overwrite, Progress progress, long inlineLimit, boolean copyData) {
        this.overwrite = overwrite;
        this.progress = progress;
        this.inlineLimit = inlineLimit;
        this.copyData = copyData;
    }

    /** A saver that refuses to replace existing files. */
    public static ModelSaver create() {
        return new ModelSaver(false, Progress.NONE, DEFAULT_INLINE_LIMIT, false);
    }

    /** Allows replacing an existing output file (never the input or its data files). */
    public ModelSaver overwrite(boolean allow) {
        return new ModelSaver(allow, progress, inlineLimit, copyData);
    }

    public ModelSaver progress(Progress p) {
        return new ModelSaver(overwrite, p, inlineLimit, copyData);
    }

    /** Data files saved into another folder become files of their own (a clone or a copy), never hard links. */
    public ModelSaver copyData(boolean own) {
        return new ModelSaver(overwrite, progress, inlineLimit, own);
    }

    /** Lets tests exercise the external-data fallback without writing 2 GiB. */
    ModelSaver inlineLimit(long bytes) {
        return new ModelSaver(overwrite, progress, bytes, copyData);
    }

    public SaveResult save(Model model, Path target) throws IOException {
        Path out = target.toAbsolutePath().normalize();
        Path dir = out.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BadInputException("output folder " + dir + " does not exist");
        }
        OwnedTemp.sweepBeside(dir);
        ModelProto proto = ModelExporter.export(model);
        refuseInputPaths(model, proto, out);
        if (Files.exists(out) && !overwrite) {
            throw new BadInputException("output " + out + " already exists; choose another path or allow overwriting (--force)");
        }
        List<Path> reused = new ArrayList<>();
        List<Path> cloned = new ArrayList<>();
        List<Path> linked = new ArrayList<>();
        List<Path> copied = new ArrayList<>();
        List<Path> written = new ArrayList<>();

        Map<String, String> renamed = new LinkedHashMap<>();
        Path sourceDir = model.baseDir();
        for (String location : externalLocations(proto)) {
            if (sourceDir == null) {
                // A model built in memory: its data must already be in the target folder.
                Path inPlace = dir.resolve(location).normalize();
                if (!inPlace.startsWith(dir) || !Files.isRegularFile(inPlace)) {
                    throw new BadInputException("the model refers to external data '" + location
                            + "', which is not in " + dir + ", and it was not read from a file to take it from");
                }
                reused.add(inPlace);
                continue;
            }
            Path source = sourceDir.resolve(location).normalize();
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                continue; // a graph-only model (loaded so on purpose): the output names the same absent file
            }
            Path dest = dir.resolve(location).normalize();
            if (DataDestinations.leavesFolder(dest, dir)) {
                String own = DataDestinations.ownName(out, renamed.size());
                renamed.put(location, own);
                dest = dir.resolve(own);
            }
            placeDataFile(source, dest, reused, cloned, linked, copied);
        }
        proto = DataDestinations.rename(proto, renamed);
        if (inlineBytes(proto) >= inlineLimit) {
            Path data = dir.resolve(out.getFileName() + ".data");
            proto = new Externalizer(data, progress).moveWeightsOut(proto, out.getFileName() + ".data", overwrite);
            written.add(data);
        }
        writeAtomically(out, proto);
        return new SaveResult(out, reused, cloned, linked, copied, written);
    }

    private static void refuseInputPaths(Model model, ModelProto proto, Path out) throws IOException {
        if (model.source() == null) {
            return;
        }
        if (out.equals(model.source()) || (Files.exists(out) && Files.isSameFile(out, model.source()))) {
            throw new BadInputException("output " + out + " is the input model; the input is never modified, choose another path");
        }
        for (String location : externalLocations(proto)) {
            Path data = model.baseDir().resolve(location).normalize();
            if (out.equals(data) || (Files.exists(out) && Files.exists(data) && Files.isSameFile(out, data))) {
                throw new BadInputException("output " + out + " is the input's external data file '" + location
                        + "'; choose another path");
            }
        }
    }

    /** Distinct external-data locations, in first-use order. */
    static Set<String> externalLocations(ModelProto proto) {
        Set<String> locations = new LinkedHashSet<>();
        ExternalDataCheck.forEachTensor(proto, t -> {
            Tensor.ExternalRef ref = new Tensor(t).external();
            if (ref != null) {
                locations.add(ref.location());
            }
        });
        return locations;
    }

    private static long inlineBytes(ModelProto proto) {
        long[] total = {0};
        ExternalDataCheck.forEachTensor(proto, t -> total[0] += new Tensor(t).inlineBytes());
        return total[0];
    }

    private void placeDataFile(Path source, Path dest, List<Path> reused, List<Path> cloned, List<Path> linked,
                               List<Path> copied) throws IOException {
        if (Files.exists(dest) && Files.isSameFile(source, dest)) {
            reused.add(dest);
            return;
        }
        if (Files.exists(dest) && !overwrite) {
            throw new BadInputException("the output folder already has a different '" + dest.getFileName()
                    + "'; the model's data file would replace it (remove it or allow overwriting with --force)");
        }
        Files.createDirectories(dest.getParent());
        if (!dest.getParent().equals(source.getParent())) {
            OwnedTemp.sweepBeside(dest.getParent());
        }
        Path tmp = tempBeside(dest);
        try {
            if (CopyOnWrite.cloneOnto(source, tmp)) {
                cloned.add(dest);
            } else if (!copyData && link(source, tmp)) {
                linked.add(dest);
            } else {
                Files.deleteIfExists(tmp);
                copyWithProgress(source, tmp);
                copied.add(dest);
            }
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Replaces the empty {@code tmp} with a hard link to {@code source}; false where links are impossible. */
    private static boolean link(Path source, Path tmp) throws IOException {
        Files.delete(tmp);
        try {
            Files.createLink(tmp, source.toRealPath()); // link(2) does not follow symlinks: link their target
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void copyWithProgress(Path source, Path tmp) throws IOException {
        long total = Files.size(source);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long done = 0;
            long step = 64L << 20;
            while (done < total) {
                done += in.transferTo(done, Math.min(step, total - done), out);
                progress.update("copying " + source.getFileName(), done, total);
            }
            out.force(true);
        }
    }

    /** A new empty file beside {@code file}, named after this process ({@link OwnedTemp}). */
    static Path tempBeside(Path file) throws IOException {
        return OwnedTemp.createBeside(file);
    }

    /** Writes to a temporary file in the same folder, flushes it to disk, then renames it into place. */
    static void writeAtomically(Path target, ModelProto proto) throws IOException {
        Path tmp = tempBeside(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream os = Channels.newOutputStream(ch)) {
                CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
                proto.writeTo(cos);
                cos.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncFolder(target.getParent());
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException("output " + target + " appeared while saving; not replaced");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open a folder; the rename is still atomic there.
        }
    }
}
