package dev.sinkfix.surgery.ir;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.StringStringEntryProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A constant tensor: an initializer or the value of a tensor attribute. The proto is kept as
 * it was read, so inline bytes stay aliased to the mapped model file and external data stays a
 * reference (location, offset, length) that nothing reads unless asked to.
 */
public final class Tensor {
    private final TensorProto proto;

    public Tensor(TensorProto proto) {
        this.proto = proto;
    }

    /** A new tensor with its data inline, as little-endian raw bytes. */
    public static Tensor ofRaw(String name, DataType dtype, long[] dims, ByteString raw) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dtype.code()).setRawData(raw);
        for (long d : dims) {
            b.addDims(d);
        }
        return new Tensor(b.build());
    }

    /** A new tensor whose data lives in an external file, {@code location} relative to the model's folder. */
    public static Tensor ofExternal(String name, DataType dtype, long[] dims, String location, long offset, long length) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dtype.code())
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)));
        for (long d : dims) {
            b.addDims(d);
        }
        return new Tensor(b.build());
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    public TensorProto proto() {
        return proto;
    }

    public String name() {
        return proto.getName();
    }

    public DataType dtype() {
        return DataType.isKnown(proto.getDataType()) ? DataType.fromCode(proto.getDataType()) : DataType.UNDEFINED;
    }

    public List<Long> dims() {
        return Collections.unmodifiableList(proto.getDimsList());
    }

    public long elementCount() {
        long n = 1;
        for (long d : proto.getDimsList()) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public TensorType type() {
        List<Dim> dims = new ArrayList<>();
        for (long d : proto.getDimsList()) {
            dims.add(Dim.of(d));
        }
        return new TensorType(dtype(), List.copyOf(dims));
    }

    public boolean isExternal() {
        return proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** The external-data reference, or null for a tensor stored inline. */
    public ExternalRef external() {
        if (!isExternal()) {
            return null;
        }
        String location = null;
        String offset = null;
        String length = null;
        for (StringStringEntryProto e : proto.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = e.getValue();
                case "length" -> length = e.getValue();
                default -> { }
            }
        }
        return new ExternalRef(location, offset, length);
    }

    /** Bytes the data takes, inline or external, computed from dtype and dims without I/O. */
    public long byteSize() {
        long size = dtype().byteSize(elementCount());
        if (size >= 0) {
            return size;
        }
        return proto.getSerializedSize();
    }

    /** Bytes of this tensor held inside the model file itself (0 for external data). */
    public long inlineBytes() {
        return isExternal() ? 0 : proto.getSerializedSize();
    }

    /** The (location, offset, length) of external data, as the strings the file holds. */
    public record ExternalRef(String location, String offset, String length) {
    }
}
