package dev.sinkfix.validator;

import dev.sinkfix.runtime.HostTensor;
import dev.sinkfix.surgery.ir.DataType;
import java.util.Arrays;

/**
 * An MLP activation as {@code [batch, seq, width]}, whichever way the exporter laid it out: a
 * dynamo {@code Gemm} MLP works on {@code [batch*seq, width]}, which is the same memory.
 *
 * @param dtype  the element type in the model
 * @param values row-major {@code [batch, seq, width]}
 */
public record SiteTensor(DataType dtype, int batch, int seq, int width, float[] values) {

    public SiteTensor {
        if ((long) batch * seq * width != values.length) {
            throw new IllegalArgumentException("[" + batch + ", " + seq + ", " + width + "] holds "
                    + (long) batch * seq * width + " values, got " + values.length);
        }
    }

    /** Reads a {@code [batch, seq, width]} or {@code [batch*seq, width]} tensor of a call of this shape. */
    public static SiteTensor of(HostTensor t, int batch, int seq) {
        long[] s = t.shape();
        boolean threeD = s.length == 3 && s[0] == batch && s[1] == seq;
        boolean flat = s.length == 2 && s[0] == (long) batch * seq;
        if (!threeD && !flat) {
            throw new IllegalArgumentException("a site tensor of a call with batch " + batch + " and " + seq
                    + " tokens is [batch, seq, width] or [batch*seq, width]; got " + Arrays.toString(s));
        }
        return new SiteTensor(t.dtype(), batch, seq, (int) s[s.length - 1], t.values().clone());
    }

    public int offset(int b, int t, int neuron) {
        return (b * seq + t) * width + neuron;
    }

    public float get(int b, int t, int neuron) {
        return values[offset(b, t, neuron)];
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SiteTensor o && dtype == o.dtype && batch == o.batch && seq == o.seq
                && width == o.width && Arrays.equals(values, o.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + batch * 7 + seq * 3 + width;
    }

    @Override
    public String toString() {
        return dtype.onnxName() + "[" + batch + ", " + seq + ", " + width + "]";
    }
}
