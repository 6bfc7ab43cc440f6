package dev.sinkfix.surgery.match;

/** The model families this tool knows; Mistral shares Llama's layout. */
public enum Family {
    LLAMA, MISTRAL
}
