package dev.ferry.sandbox;

/** The sandbox could not start or could not do what it was asked; the message says why and what to do. */
public final class SandboxException extends RuntimeException {
    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }

    public SandboxException(String message) {
        super(message);
    }
}
