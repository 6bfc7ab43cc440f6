/**
 * Text in and out: {@link dev.sinkfix.runtime.text.TextTokenizer} over a model folder's
 * {@code tokenizer.json}, {@link dev.sinkfix.runtime.text.TextStream} for streaming output, and
 * {@link dev.sinkfix.runtime.text.SpecialIds} for the BoS and stop ids of the folder's configs.
 */
package dev.sinkfix.runtime.text;
