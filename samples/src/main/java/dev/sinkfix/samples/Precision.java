package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.DataType;

/** Element type of weights, activations and the KV cache: fp16 is how most models ship. */
public enum Precision {
    FP32(DataType.FLOAT),
    FP16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }
}
