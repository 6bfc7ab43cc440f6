/**
 * Generation under ONNX Runtime: {@link dev.sinkfix.runtime.generate.Generator} prefills, then
 * decodes token by token with every piece of state a decoder threads
 * ({@link dev.sinkfix.runtime.generate.StatePairs}: KV cache, sink state); models whose cache
 * protocol it does not know get one full-sequence pass and a reason.
 */
package dev.sinkfix.runtime.generate;
