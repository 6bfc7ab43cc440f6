package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Value;

/**
 * Hugging Face's {@code LlamaRMSNorm} as PyTorch exporters spell it: Pow, ReduceMean, Add eps,
 * Sqrt, then Div (TorchScript) or Reciprocal and Mul (dynamo), then Mul by the weight; fp16
 * models cast to fp32 around the statistics exactly where the module calls {@code .to()}.
 */
final class SpelledOutRmsNorm {
    private SpelledOutRmsNorm() {
    }

    static Value apply(GraphBuilder b, SampleSpec spec, String scope, Value x, Value weight) {
        b.scope(scope);
        boolean fp16 = spec.dtype() == Precision.FP16;
        Value h = fp16 ? b.cast(x, DataType.FLOAT) : x;
        Value variance = b.reduceMean(b.pow(h, b.scalar(2f, DataType.FLOAT)), -1);
        Value root = b.sqrt(b.add(variance, b.scalar(spec.rmsEpsilon(), DataType.FLOAT)));
        Value inverse = spec.style() == ExportStyle.DYNAMO
                ? b.reciprocal(root) : b.div(b.scalar(1f, DataType.FLOAT), root);
        Value normed = b.mul(h, inverse);
        if (fp16) {
            normed = b.cast(normed, DataType.FLOAT16);
        }
        return b.mul(weight, normed);
    }
}
