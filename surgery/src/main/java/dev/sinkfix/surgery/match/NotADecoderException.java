package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.BadInputException;

/** The graph is not a Llama/Mistral decoder; the message says which part was not found. */
public class NotADecoderException extends BadInputException {
    public NotADecoderException(String reason) {
        super("not a Llama/Mistral decoder: " + reason);
    }
}
