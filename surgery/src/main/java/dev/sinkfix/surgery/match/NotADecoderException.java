package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.BadInputException;
import java.util.List;

/**
 * The graph is not a Llama/Mistral decoder; the message says which part was not found, and
 * {@link #notes()} what the matcher tried on the way (for {@code inspect --explain}).
 */
public class NotADecoderException extends BadInputException {
    private final List<String> notes;

    public NotADecoderException(String reason) {
        this(reason, List.of());
    }

    public NotADecoderException(String reason, List<String> notes) {
        super("not a Llama/Mistral decoder: " + reason);
        this.notes = List.copyOf(notes);
    }

    public List<String> notes() {
        return notes;
    }
}
