package dev.ferry.engine.event;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the engine tells whoever watches it. The engine never prints: the command line renders these
 * as Terraform-style lines and progress bars, tests collect them.
 */
public sealed interface Event {

    /** What a step does to its resource. */
    enum Verb {
        CREATE("Creating", "Creation"),
        UPDATE("Modifying", "Modifications"),
        DELETE("Destroying", "Destruction"),
        READ("Reading", "Read"),
        CLEANUP("Cleaning up", "Clean-up"),
        /** Kept in the cloud (the file said to keep it) and removed from state: not destroyed. */
        KEEP("Keeping", "Keeping");

        private final String progressive;
        private final String noun;

        Verb(String progressive, String noun) {
            this.progressive = progressive;
            this.noun = noun;
        }

        /** "Creating", as in "aws_ami.web-01: Creating...". */
        public String progressive() {
            return progressive;
        }

        /** "Creation", as in "Creation complete after 1m2s". */
        public String noun() {
            return noun;
        }
    }

    /** Refresh of a recorded resource started (plan and apply). */
    record Refreshing(ResourceAddress address, String id) implements Event {
    }

    record StepStarted(ResourceAddress address, Verb verb, Optional<String> note) implements Event {
        public StepStarted {
            requireNonNull(address, "address is null");
            requireNonNull(verb, "verb is null");
            note = note == null ? Optional.empty() : note;
        }
    }

    /** The step waits for a free slot of a named limit (5 conversion tasks per region). */
    record StepQueued(ResourceAddress address, Verb verb, String limit) implements Event {
    }

    /** A long operation's status, as the cloud reports it. */
    record StepProgress(ResourceAddress address, Verb verb, String status, OptionalDouble percent, Duration elapsed) implements Event {
    }

    /** Bytes moved by a transfer within a step. */
    record BytesProgress(ResourceAddress address, String status, long bytes, long totalBytes, double bytesPerSecond,
                         Optional<Duration> eta) implements Event {
    }

    /** Emitted every few seconds while a step runs, so a watcher knows it is alive. */
    record StillRunning(ResourceAddress address, Verb verb, Duration elapsed, Optional<String> status) implements Event {
    }

    record StepFinished(ResourceAddress address, Verb verb, Optional<String> id, Duration elapsed) implements Event {
    }

    /**
     * A step that failed: {@code message} is for the user; {@code cause} is what was thrown, for a debug trace
     * (providers keep secrets out of exceptions, as out of messages).
     */
    record StepFailed(ResourceAddress address, Verb verb, String message, Optional<Throwable> cause) implements Event {
        public StepFailed(ResourceAddress address, Verb verb, String message) {
            this(address, verb, message, Optional.empty());
        }
    }

    /** Not attempted because {@code cause} failed first. */
    record StepSkipped(ResourceAddress address, Verb verb, ResourceAddress cause) implements Event {
    }

    /**
     * A step stopped at a safe point because the user asked to stop (Ctrl-C): not a failure; its operation
     * is in the state and the next apply resumes it.
     */
    record StepInterrupted(ResourceAddress address, Verb verb) implements Event {
    }

    /** Not started because {@code cause}, which it waits for, was interrupted. */
    record StepNotStarted(ResourceAddress address, Verb verb, ResourceAddress cause) implements Event {
    }

    /** Something the user should read that is not a failure. */
    record Warning(String message) implements Event {
    }
}
