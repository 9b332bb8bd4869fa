package dev.ferry.cli;

import dev.ferry.engine.apply.Cancellation;
import java.io.PrintWriter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (or SIGTERM, as a service manager stops a process) during apply: the first stops scheduling new steps and lets running ones reach a safe point
 * (state is saved); the second exits at once, which is safe too, because state is on disk after
 * every change and the next apply resumes from it.
 */
final class Interrupts implements AutoCloseable {

    private final SignalHandler previous;
    private final SignalHandler previousTerm;

    private Interrupts(SignalHandler previous, SignalHandler previousTerm) {
        this.previous = previous;
        this.previousTerm = previousTerm;
    }

    static Interrupts install(boolean enabled, Cancellation cancellation, PrintWriter err) {
        if (!enabled) {
            return new Interrupts(null, null);
        }
        SignalHandler handler = signal -> {
            if (cancellation.request() == 1) {
                err.println();
                err.println("Interrupt received: no new steps will start; waiting for running ones to reach a safe point."
                        + " Press Ctrl-C again to exit now (state is saved either way).");
                err.flush();
            } else {
                err.println();
                err.println("Exiting now. The state is saved; run the same command again to resume.");
                err.flush();
                Runtime.getRuntime().halt(130);
            }
        };
        SignalHandler previous = Signal.handle(new Signal("INT"), handler);
        SignalHandler previousTerm = Signal.handle(new Signal("TERM"), handler);
        return new Interrupts(previous, previousTerm);
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(new Signal("INT"), previous);
        }
        if (previousTerm != null) {
            Signal.handle(new Signal("TERM"), previousTerm);
        }
    }
}
