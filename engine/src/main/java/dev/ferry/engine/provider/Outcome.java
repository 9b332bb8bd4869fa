package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.OptionalDouble;

/** Where a create, update, delete or poll left the resource. */
public sealed interface Outcome {

    /** Created or updated: its id and outputs. */
    record Done(String id, ObjectNode outputs) implements Outcome {
        public Done {
            requireNonNull(id, "id is null");
            requireNonNull(outputs, "outputs is null");
        }
    }

    /** Deleted (or already gone). */
    record Deleted() implements Outcome {
    }

    /**
     * Still going: the engine records {@code operation}, shows {@code status} and {@code percent}, and polls again
     * as {@code pace} says: {@link Pace#FOLLOW} soon at first, then less often while status and percent stay the same,
     * never later than {@code pollAfter}; {@link Pace#WAIT} after {@code pollAfter} (shortened to the engine's poll
     * interval); {@link Pace#QUEUED} after {@code pollAfter} as asked, adding the time left to the status.
     */
    record InProgress(Operation operation, String status, OptionalDouble percent, Duration pollAfter, Pace pace)
            implements Outcome {
        public InProgress {
            requireNonNull(operation, "operation is null");
            requireNonNull(status, "status is null");
            requireNonNull(percent, "percent is null");
            requireNonNull(pollAfter, "pollAfter is null");
            requireNonNull(pace, "pace is null");
        }

        /** An operation the cloud is working on, followed at its pace and polled at least every {@code pollAfter}. */
        public InProgress(Operation operation, String status, OptionalDouble percent, Duration pollAfter) {
            this(operation, status, percent, pollAfter, Pace.FOLLOW);
        }

        /**
         * A wait whose length matters more than what the cloud shows, e.g. for IAM to spread a new role before
         * a start is tried again: the next poll comes after {@code wait}.
         */
        public static InProgress waiting(Operation operation, String status, Duration wait) {
            return new InProgress(operation, status, OptionalDouble.empty(), wait, Pace.WAIT);
        }

        /** A start the cloud queued ({@code status} says by whom and why), to be tried again after {@code wait}. */
        public static InProgress queued(Operation operation, String status, Duration wait) {
            return new InProgress(operation, status, OptionalDouble.empty(), wait, Pace.QUEUED);
        }

        /** The cloud refused to start it for now: a limit it counts for the whole account is reached. */
        public boolean queued() {
            return pace == Pace.QUEUED;
        }
    }

    /** How the engine times the next poll of an operation in progress. */
    enum Pace {
        /** Follow the operation: a short first wait, longer ones while it does not move, up to {@code pollAfter}. */
        FOLLOW,
        /** Wait {@code pollAfter} (at most the engine's poll interval) whatever the operation shows. */
        WAIT,
        /**
         * Wait {@code pollAfter} as asked, not shortened to the engine's poll interval, so that many processes
         * queued by the same account-wide limit do not all come back at once.
         */
        QUEUED
    }
}
