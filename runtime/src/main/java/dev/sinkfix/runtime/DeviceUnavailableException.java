package dev.sinkfix.runtime;

/**
 * The requested execution provider cannot be used on this machine. The message is one line that
 * says why (which libraries are missing, what ONNX Runtime said); the command line turns it into
 * exit code 3.
 */
public class DeviceUnavailableException extends RuntimeException {
    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
