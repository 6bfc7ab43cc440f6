package dev.sinkfix.samples;

/** The quantized forms real tools write, each made from a float sample by a pass like the tool's own. */
public enum Quantization {
    /** onnxruntime-genai's int4 build: {@code com.microsoft:MatMulNBits}, block-wise, symmetric. */
    MATMUL_NBITS_INT4,
    /** ONNX Runtime {@code quantize_dynamic}: DynamicQuantizeLinear, MatMulInteger, Cast, Mul by the scales. */
    DYNAMIC_INT8,
    /** ONNX Runtime {@code quantize_static} in the QDQ format: int8 weights and activations behind DequantizeLinear. */
    QDQ_INT8
}
