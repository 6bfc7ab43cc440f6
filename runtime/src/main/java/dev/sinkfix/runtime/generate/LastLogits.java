package dev.sinkfix.runtime.generate;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.sinkfix.runtime.Tensors;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * The scores of the last position of each row, out of a {@code [batch, sequence, vocab]} (or
 * {@code [batch, vocab]}) logits tensor. Half-precision logits are widened only for the last
 * position: a long prefill's full logits would be gigabytes as fp32.
 */
final class LastLogits {
    private LastLogits() {}

    static float[][] read(OnnxValue value, int rows) throws OrtException {
        return read(value, rows, -1);
    }

    /** The scores at column {@code position} of each row ({@code -1}: the last). */
    static float[][] read(OnnxValue value, int rows, int position) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("logits are a " + value.getType() + ", not a tensor");
        }
        TensorInfo info = tensor.getInfo();
        long[] shape = info.getShape();
        if ((shape.length != 3 && shape.length != 2) || shape[0] != rows) {
            throw new IllegalStateException("logits of shape " + Arrays.toString(shape) + " for " + rows
                    + " rows; expected [batch, sequence, vocab]");
        }
        int vocab = Math.toIntExact(shape[shape.length - 1]);
        int positions = shape.length == 3 ? Math.toIntExact(shape[1]) : 1;
        int at = position < 0 || shape.length == 2 ? positions - 1 : position;
        float[][] last = new float[rows][vocab];
        switch (info.type) {
            case FLOAT -> {
                FloatBuffer all = tensor.getFloatBuffer();
                for (int r = 0; r < rows; r++) {
                    all.get(offset(r, positions, at, vocab), last[r]);
                }
            }
            case FLOAT16, BFLOAT16 -> {
                ShortBuffer all = tensor.getShortBuffer();
                boolean half = info.type == ai.onnxruntime.OnnxJavaType.FLOAT16;
                for (int r = 0; r < rows; r++) {
                    int base = offset(r, positions, at, vocab);
                    for (int v = 0; v < vocab; v++) {
                        short bits = all.get(base + v);
                        last[r][v] = half ? Tensors.fp16ToFloat(bits) : Tensors.bf16ToFloat(bits);
                    }
                }
            }
            default -> {
                float[] all = Tensors.readFloats(tensor).values();
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(all, offset(r, positions, at, vocab), last[r], 0, vocab);
                }
            }
        }
        return last;
    }

    private static int offset(int row, int positions, int at, int vocab) {
        return Math.toIntExact(((long) row * positions + at) * vocab);
    }
}
