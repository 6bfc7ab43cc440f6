package dev.sinkfix.surgery.ir;

import com.google.protobuf.ByteString;
import dev.sinkfix.onnx.Onnx.AttributeProto;
import dev.sinkfix.onnx.Onnx.AttributeProto.AttributeType;
import java.util.List;

/**
 * A node attribute. Scalar, list and tensor attributes keep their proto; graph attributes
 * (the branches of {@code If}, the body of {@code Loop} and {@code Scan}) are imported as
 * {@link Graph}s, so values used inside a branch are tracked like any other use.
 */
public record Attribute(String name, AttributeProto proto, List<Graph> graphs) {

    public Attribute {
        graphs = List.copyOf(graphs);
    }

    public static Attribute of(AttributeProto proto) {
        return new Attribute(proto.getName(), proto, List.of());
    }

    public static Attribute ofInt(String name, long value) {
        return of(AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build());
    }

    public static Attribute ofFloat(String name, float value) {
        return of(AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build());
    }

    public static Attribute ofString(String name, String value) {
        return of(AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build());
    }

    public static Attribute ofInts(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return of(b.build());
    }

    public static Attribute ofFloats(String name, float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return of(b.build());
    }

    public static Attribute ofTensor(String name, Tensor tensor) {
        return of(AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(tensor.proto()).build());
    }

    public AttributeType type() {
        return proto.getType();
    }

    public long i() {
        return proto.getI();
    }

    public float f() {
        return proto.getF();
    }

    public String s() {
        return proto.getS().toStringUtf8();
    }

    public List<Long> ints() {
        return proto.getIntsList();
    }

    public Tensor t() {
        return proto.hasT() ? new Tensor(proto.getT()) : null;
    }
}
