package dev.sinkfix.surgery.ir;

import java.util.Locale;

/** ONNX tensor element types, with the codes of {@code TensorProto.DataType}. */
public enum DataType {
    UNDEFINED(0, 0),
    FLOAT(1, 32),
    UINT8(2, 8),
    INT8(3, 8),
    UINT16(4, 16),
    INT16(5, 16),
    INT32(6, 32),
    INT64(7, 64),
    STRING(8, 0),
    BOOL(9, 8),
    FLOAT16(10, 16),
    DOUBLE(11, 64),
    UINT32(12, 32),
    UINT64(13, 64),
    COMPLEX64(14, 64),
    COMPLEX128(15, 128),
    BFLOAT16(16, 16),
    FLOAT8E4M3FN(17, 8),
    FLOAT8E4M3FNUZ(18, 8),
    FLOAT8E5M2(19, 8),
    FLOAT8E5M2FNUZ(20, 8),
    UINT4(21, 4),
    INT4(22, 4),
    FLOAT4E2M1(23, 4),
    FLOAT8E8M0(24, 8),
    UINT2(25, 2),
    INT2(26, 2);

    private final int code;
    private final int bits;

    DataType(int code, int bits) {
        this.code = code;
        this.bits = bits;
    }

    public int code() {
        return code;
    }

    /** Bits per element; 0 for types without a fixed size (strings). */
    public int bits() {
        return bits;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }

    /** Bytes that {@code elements} packed elements take in raw data, or -1 for strings. */
    public long byteSize(long elements) {
        if (bits == 0) {
            return -1;
        }
        return (elements * bits + 7) / 8;
    }

    public static DataType fromCode(int code) {
        for (DataType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown ONNX data type code " + code);
    }

    /** True when {@code code} names a type this build knows. */
    public static boolean isKnown(int code) {
        return code >= 0 && code <= INT2.code;
    }

    public String onnxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
