/**
 * ONNX Runtime sessions for the tool: {@link dev.sinkfix.runtime.Sessions#open} picks the
 * execution provider ({@link dev.sinkfix.runtime.Device}), says why when CUDA cannot be used, and
 * records the provider really in use; {@link dev.sinkfix.runtime.Tensors} moves Java arrays in and
 * out of tensors. Every native object is owned by exactly one {@code AutoCloseable}.
 */
package dev.sinkfix.runtime;
