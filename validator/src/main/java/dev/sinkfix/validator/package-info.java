/**
 * validator: runs an original and a patched model side by side under ONNX Runtime and holds the
 * patch to PATCH-SEMANTICS.md. {@link dev.sinkfix.validator.SinkReference} is the patch in plain
 * Java; {@link dev.sinkfix.validator.Stepper} and {@link dev.sinkfix.validator.PairedStepper}
 * drive generation calls, threading the KV cache and the sink state;
 * {@link dev.sinkfix.validator.StepVerdict} and {@link dev.sinkfix.validator.PatchInvariants}
 * check each call and report every value that breaks an invariant as a
 * {@link dev.sinkfix.validator.Mismatch}.
 */
package dev.sinkfix.validator;

import dev.sinkfix.runtime.generate.Stepper;
