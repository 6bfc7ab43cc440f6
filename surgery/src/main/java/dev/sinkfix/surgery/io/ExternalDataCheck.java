package dev.sinkfix.surgery.io;

import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.FunctionProto;
import dev.sinkfix.onnx.Onnx.GraphProto;
import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.NodeProto;
import dev.sinkfix.onnx.Onnx.SparseTensorProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.onnx.Onnx.TrainingInfoProto;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks every external-data reference of a model before anything trusts it: the location is
 * relative, stays inside the model's folder after resolving {@code ..}, names a regular file,
 * and offset + length lie within it. Only file metadata is read, never data.
 *
 * <p>Symbolic links follow ONNX Runtime's own rule (1.30): a data file must resolve inside the
 * model's folder or inside the real folder of the model file. That accepts the Hugging Face hub
 * cache, where {@code snapshots/REV/model.onnx} and its data are both links into {@code blobs/},
 * and refuses a link that leads anywhere else. A file that is simply absent is refused too,
 * unless the caller asked for the graph alone ({@link #verifyModelFile}).
 */
public final class ExternalDataCheck {
    private final Path baseDir;
    private final Path realBaseDir;
    private final Path realModelDir;
    private final boolean allowMissing;
    private final Map<String, Long> fileSizes = new HashMap<>();
    private final Set<String> missing = new LinkedHashSet<>();

    private ExternalDataCheck(Path baseDir, Path realModelDir, boolean allowMissing) throws IOException {
        this.baseDir = baseDir.toAbsolutePath().normalize();
        this.realBaseDir = this.baseDir.toRealPath();
        this.realModelDir = realModelDir == null ? realBaseDir : realModelDir;
        this.allowMissing = allowMissing;
    }

    /**
     * Checks the references of the model read from {@code modelFile}, whose real folder (after
     * following a link to the file) is also allowed to hold its data. With {@code allowMissing}
     * an absent data file is not an error; the absent locations come back, in first-use order.
     * Everything else (absolute paths, {@code ..} out of the folder, links that leave it) is
     * refused either way.
     */
    public static List<String> verifyModelFile(ModelProto model, Path modelFile, boolean allowMissing)
            throws IOException {
        Path file = modelFile.toAbsolutePath().normalize();
        ExternalDataCheck check = new ExternalDataCheck(file.getParent(), file.toRealPath().getParent(), allowMissing);
        forEachTensor(model, check::verify);
        return List.copyOf(check.missing);
    }

    /**
     * The same checks for one tensor about to be read (a reader of one initializer calls this
     * again at read time rather than trusting a check made when the model was loaded).
     */
    public static void verifyTensor(TensorProto tensor, Path baseDir) throws IOException {
        new ExternalDataCheck(baseDir, null, false).verify(tensor);
    }

    /** Visits every dense tensor of the model: initializers, attribute tensors, sparse parts, functions, training graphs. */
    public static void forEachTensor(ModelProto model, Consumer<TensorProto> visitor) {
        if (model.hasGraph()) {
            visitGraph(model.getGraph(), visitor);
        }
        for (FunctionProto f : model.getFunctionsList()) {
            for (NodeProto n : f.getNodeList()) {
                visitNode(n, visitor);
            }
        }
        for (TrainingInfoProto t : model.getTrainingInfoList()) {
            visitGraph(t.getInitialization(), visitor);
            visitGraph(t.getAlgorithm(), visitor);
        }
    }

    private static void visitGraph(GraphProto g, Consumer<TensorProto> visitor) {
        g.getInitializerList().forEach(visitor);
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            visitor.accept(s.getValues());
            visitor.accept(s.getIndices());
        }
        for (NodeProto n : g.getNodeList()) {
            visitNode(n, visitor);
        }
    }

    private static void visitNode(NodeProto n, Consumer<TensorProto> visitor) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasT()) {
                visitor.accept(a.getT());
            }
            a.getTensorsList().forEach(visitor);
            if (a.hasSparseTensor()) {
                visitor.accept(a.getSparseTensor().getValues());
                visitor.accept(a.getSparseTensor().getIndices());
            }
            if (a.hasG()) {
                visitGraph(a.getG(), visitor);
            }
            for (GraphProto g : a.getGraphsList()) {
                visitGraph(g, visitor);
            }
        }
    }

    private void verify(TensorProto proto) {
        Tensor tensor = new Tensor(proto);
        Tensor.ExternalRef ref = tensor.external();
        if (ref == null) {
            return;
        }
        String what = "tensor '" + proto.getName() + "'";
        if (ref.location() == null || ref.location().isEmpty()) {
            throw new BadInputException(what + " has external data without a location");
        }
        Path relative;
        try {
            relative = Path.of(ref.location());
        } catch (InvalidPathException e) {
            throw new BadInputException(what + ": external data location '" + printable(ref.location())
                    + "' is not a valid path");
        }
        if (relative.isAbsolute() || ref.location().startsWith("/") || ref.location().startsWith("\\")) {
            throw new BadInputException(what + ": external data location '" + printable(ref.location())
                    + "' is absolute; it must be a path relative to the model's folder " + baseDir);
        }
        Path resolved = baseDir.resolve(relative).normalize();
        if (!resolved.startsWith(baseDir)) {
            throw new BadInputException(what + ": external data location '" + printable(ref.location())
                    + "' leaves the model's folder " + baseDir);
        }
        long size = fileSize(proto.getName(), what, ref.location(), resolved);
        long offset = parseNonNegative(what, "offset", ref.offset(), 0);
        long needed = bytesNeeded(what, tensor);
        long length = parseNonNegative(what, "length", ref.length(), needed >= 0 ? needed : Math.max(0, size - offset));
        if (needed >= 0 && length < needed) {
            throw new BadInputException(what + ": external data length " + length + " is smaller than the "
                    + needed + " bytes its type " + tensor.type() + " needs");
        }
        if (size >= 0 && (offset > size || length > size - offset)) { // an absent file (size -1) has no end to check
            throw new BadInputException(what + ": external data [offset " + offset + ", length " + length
                    + "] ends past the end of '" + ref.location() + "' (" + size + " bytes)");
        }
    }

    private static long bytesNeeded(String what, Tensor tensor) {
        for (long d : tensor.dims()) {
            if (d < 0) {
                throw new BadInputException(what + " has a negative dimension " + d + " in its shape " + tensor.dims());
            }
        }
        try {
            return tensor.dtype().byteSize(tensor.elementCount());
        } catch (ArithmeticException e) {
            throw new BadInputException(what + " has a shape " + tensor.dims() + " too large to exist");
        }
    }

    /** The size of the data file, or -1 where it is absent and that is allowed. */
    private long fileSize(String tensorName, String what, String location, Path resolved) {
        Long cached = fileSizes.get(location);
        if (cached != null) {
            return cached;
        }
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            if (!allowMissing) {
                throw new MissingDataException(tensorName, location, baseDir);
            }
            refuseMissingOutside(what, location, resolved);
            missing.add(location);
            fileSizes.put(location, -1L);
            return -1;
        }
        try {
            Path real;
            try {
                real = resolved.toRealPath();
            } catch (NoSuchFileException e) {
                String target = Files.isSymbolicLink(resolved) ? String.valueOf(Files.readSymbolicLink(resolved)) : "?";
                throw new BadInputException(what + ": external data file '" + printable(location)
                        + "' is a link to a file that does not exist (" + printable(target) + ")");
            }
            if (!insideAllowed(real)) {
                throw new BadInputException(what + ": external data file '" + printable(location)
                        + "' is a link to " + real + ", outside the model's folder " + baseDir + allowedNote());
            }
            if (!Files.isRegularFile(real)) {
                throw new BadInputException(what + ": external data '" + printable(location) + "' is not a regular file");
            }
            long size = Files.size(real);
            fileSizes.put(location, size);
            return size;
        } catch (IOException e) {
            throw new BadInputException(what + ": cannot read external data file '" + printable(location) + "': "
                    + e.getMessage());
        }
    }

    /**
     * An absent file is only tolerated where it would land inside the folder: the nearest part of
     * its path that exists must not be a link out of it (a {@code sub/} that points at /etc).
     */
    private void refuseMissingOutside(String what, String location, Path resolved) {
        Path existing = resolved.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            Path real = existing == null ? null : existing.toRealPath();
            if (real == null || !insideAllowed(real)) {
                throw new BadInputException(what + ": external data location '" + printable(location)
                        + "' goes through " + real + ", outside the model's folder " + baseDir);
            }
        } catch (IOException e) {
            throw new BadInputException(what + ": cannot resolve external data location '" + printable(location)
                    + "': " + e.getMessage());
        }
    }

    private boolean insideAllowed(Path real) {
        return real.startsWith(realBaseDir) || real.startsWith(realModelDir);
    }

    private String allowedNote() {
        return realModelDir.equals(realBaseDir) ? "" : " or the model file's real folder " + realModelDir;
    }

    private static long parseNonNegative(String what, String key, String text, long fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException(what + ": external data " + key + " '" + printable(text)
                + "' is not a non-negative integer");
    }

    /** Keeps hostile strings (control characters, very long names) from mangling a one-line message. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }
}
