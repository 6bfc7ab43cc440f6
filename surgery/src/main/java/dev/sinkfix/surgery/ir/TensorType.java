package dev.sinkfix.surgery.ir;

import dev.sinkfix.onnx.Onnx.TensorShapeProto;
import dev.sinkfix.onnx.Onnx.TypeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Element type and shape of a tensor value; {@code dims} is null when the rank is unknown. */
public record TensorType(DataType dtype, List<Dim> dims) {

    public static TensorType of(DataType dtype, Dim... dims) {
        return new TensorType(dtype, List.of(dims));
    }

    public int rank() {
        return dims == null ? -1 : dims.size();
    }

    /** The dimension at {@code axis}, negative axes counting from the end; unknown if out of range. */
    public Dim dim(int axis) {
        if (dims == null) {
            return Dim.unknown();
        }
        int index = axis < 0 ? dims.size() + axis : axis;
        return index >= 0 && index < dims.size() ? dims.get(index) : Dim.unknown();
    }

    /** Reads a tensor type, or null when the proto describes something else (a sequence, a map). */
    public static TensorType fromProto(TypeProto type) {
        if (type == null || !type.hasTensorType()) {
            return null;
        }
        TypeProto.Tensor tensor = type.getTensorType();
        DataType dtype = DataType.isKnown(tensor.getElemType())
                ? DataType.fromCode(tensor.getElemType()) : DataType.UNDEFINED;
        if (!tensor.hasShape()) {
            return new TensorType(dtype, null);
        }
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tensor.getShape().getDimList()) {
            if (d.hasDimValue()) {
                dims.add(Dim.of(d.getDimValue()));
            } else if (d.hasDimParam()) {
                dims.add(Dim.named(d.getDimParam()));
            } else {
                dims.add(Dim.unknown());
            }
        }
        return new TensorType(dtype, List.copyOf(dims));
    }

    public TypeProto toProto() {
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(dtype.code());
        if (dims != null) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (Dim d : dims) {
                TensorShapeProto.Dimension.Builder dim = shape.addDimBuilder();
                if (d.value() != null) {
                    dim.setDimValue(d.value());
                } else if (d.param() != null) {
                    dim.setDimParam(d.param());
                }
            }
            tensor.setShape(shape);
        }
        return TypeProto.newBuilder().setTensorType(tensor).build();
    }

    @Override
    public String toString() {
        String shape = dims == null ? "?" : dims.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
        return dtype.onnxName() + shape;
    }
}
