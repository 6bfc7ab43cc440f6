package dev.sinkfix.surgery;

/**
 * Input the tool refuses: a malformed or hostile model, a graph that is not what a command
 * needs, an option that does not fit the model. The message is one line that says what is
 * wrong and what was expected; the command line turns it into exit code 2.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
