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
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks every external-data reference of a model before anything trusts it: the location is
 * relative, stays inside the model's folder after resolving {@code ..} and symbolic links, names
 * a regular file, and offset + length lie within it. Only file metadata is read, never data.
 */
public final class ExternalDataCheck {
    private final Path baseDir;
    private final Path realBaseDir;
    private final Map<String, Long> fileSizes = new HashMap<>();

    private ExternalDataCheck(Path baseDir) throws IOException {
        this.baseDir = baseDir.toAbsolutePath().normalize();
        this.realBaseDir = this.baseDir.toRealPath();
    }

    /** Refuses the model with a message naming the tensor and the path at the first bad reference. */
    public static void verify(ModelProto model, Path baseDir) throws IOException {
        ExternalDataCheck check = new ExternalDataCheck(baseDir);
        forEachTensor(model, check::verify);
    }

    /**
     * The same checks for one tensor about to be read (a reader of one initializer calls this
     * again at read time rather than trusting a check made when the model was loaded).
     */
    public static void verifyTensor(TensorProto tensor, Path baseDir) throws IOException {
        new ExternalDataCheck(baseDir).verify(tensor);
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
        long size = fileSize(what, ref.location(), resolved);
        long offset = parseNonNegative(what, "offset", ref.offset(), 0);
        long needed = bytesNeeded(what, tensor);
        long length = parseNonNegative(what, "length", ref.length(), needed >= 0 ? needed : size - offset);
        if (needed >= 0 && length < needed) {
            throw new BadInputException(what + ": external data length " + length + " is smaller than the "
                    + needed + " bytes its type " + tensor.type() + " needs");
        }
        if (offset > size || length > size - offset) {
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

    private long fileSize(String what, String location, Path resolved) {
        Long cached = fileSizes.get(location);
        if (cached != null) {
            return cached;
        }
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(what + ": external data file '" + location + "' does not exist in "
                    + baseDir);
        }
        try {
            Path real = resolved.toRealPath();
            if (!real.startsWith(realBaseDir)) {
                throw new BadInputException(what + ": external data file '" + location
                        + "' is a link to " + real + ", outside the model's folder " + baseDir);
            }
            if (!Files.isRegularFile(real)) {
                throw new BadInputException(what + ": external data '" + location + "' is not a regular file");
            }
            long size = Files.size(real);
            fileSizes.put(location, size);
            return size;
        } catch (IOException e) {
            throw new BadInputException(what + ": cannot read external data file '" + location + "': "
                    + e.getMessage());
        }
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
