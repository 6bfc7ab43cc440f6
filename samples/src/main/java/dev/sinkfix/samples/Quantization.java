package dev.sinkfix.samples;

/** The quantized forms real tools write, each made from a float sample by a pass like the tool's own. */
public enum Quantization {
    /** onnxruntime-genai's int4 build: {@code com.microsoft:MatMulNBits}, block-wise, symmetric. */
    MATMUL_NBITS_INT4,
    /** The same with {@code int4_is_symmetric=false}: asymmetric blocks, {@code zero_points} written. */
    MATMUL_NBITS_INT4_ZERO_POINTS,
    /** The int4 build with the embedding quantized too: {@code com.microsoft:GatherBlockQuantized}. */
    MATMUL_NBITS_INT4_GATHER,
    /** ONNX Runtime {@code quantize_dynamic}: DynamicQuantizeLinear, MatMulInteger, Cast, Mul by the scales. */
    DYNAMIC_INT8,
    /** The same with ORT's default op types: every {@code Gather} of a float table too, behind {@code DequantizeLinear}. */
    DYNAMIC_INT8_GATHER,
    /** ONNX Runtime {@code quantize_static} in the QDQ format: int8 weights and activations behind DequantizeLinear. */
    QDQ_INT8
}
