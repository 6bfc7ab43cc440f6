/**
 * The parts of the {@code run} command: streaming of tokens as text or ids, the progress line of a
 * long prefill on a terminal, and the report printed at the end (text or JSON).
 */
package dev.sinkfix.cli.run;
