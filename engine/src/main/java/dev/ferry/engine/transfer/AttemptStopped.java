package dev.ferry.engine.transfer;

/** Unwinds a thread of an upload attempt once the attempt has stopped. */
final class AttemptStopped extends RuntimeException {
    AttemptStopped() {
        super(null, null, false, false);
    }
}
