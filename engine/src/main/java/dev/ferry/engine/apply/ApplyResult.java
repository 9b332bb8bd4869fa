package dev.ferry.engine.apply;

import dev.ferry.engine.verify.Verified;
import java.util.List;

/**
 * How an apply ended: counts for the summary line ({@code kept}: left in the cloud as the file says and
 * removed from state, not destroyed), the failures (root causes only, each with its
 * message), how many steps were skipped because of them, whether the user stopped it, and the verifications that
 * passed in this run.
 */
public record ApplyResult(int added, int changed, int destroyed, int cleanedUp, int kept, List<Failure> failures, int skipped,
                          boolean cancelled, List<Verified> verified) {

    public record Failure(String step, String message) {
    }

    public ApplyResult {
        failures = List.copyOf(failures);
        verified = List.copyOf(verified);
    }

    /** A result with no verification run. */
    public ApplyResult(int added, int changed, int destroyed, int cleanedUp, int kept, List<Failure> failures, int skipped,
                       boolean cancelled) {
        this(added, changed, destroyed, cleanedUp, kept, failures, skipped, cancelled, List.of());
    }

    /** An apply that had nothing to do: it still ends with its summary line, as Terraform's does. */
    public static ApplyResult nothingToDo() {
        return new ApplyResult(0, 0, 0, 0, 0, List.of(), 0, false);
    }

    public boolean succeeded() {
        return failures.isEmpty() && !cancelled && skipped == 0;
    }
}
