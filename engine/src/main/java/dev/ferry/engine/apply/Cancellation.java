package dev.ferry.engine.apply;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The user's wish to stop (Ctrl-C). The first request stops scheduling new steps and lets running
 * ones reach a safe point; the command line handles the second by exiting at once, which is safe
 * because state is on disk after every change.
 */
public final class Cancellation {

    private final AtomicInteger requests = new AtomicInteger();

    /** Records a request; returns how many there have been. */
    public int request() {
        return requests.incrementAndGet();
    }

    public boolean isRequested() {
        return requests.get() > 0;
    }
}
