/**
 * Sample Llama and Mistral decoders with seeded random weights, written in code the way each
 * real exporter writes them (TorchScript, onnxruntime-genai, dynamo), so surgery is tested on
 * the shapes of graph people ship without committing opaque binaries. Start at {@link
 * dev.sinkfix.samples.Samples}; {@link dev.sinkfix.samples.SinkSample} is the sample whose
 * weights build in the attention-sink phenomenon.
 */
package dev.sinkfix.samples;
