package dev.ferry.engine;

/**
 * A failure the user can act on, whose message is the whole explanation: what went wrong, where
 * (the file and line, or the resource address) and what to do. Shown without a stack trace.
 */
public class FerryException extends RuntimeException {

    public FerryException(String message) {
        super(message);
    }

    public FerryException(String message, Throwable cause) {
        super(message, cause);
    }
}
