package dev.ferry.engine.plan;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.provider.Note;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The computed change set: every resource's change, what changed outside ferry, warnings, and the
 * state (lineage and serial) and migration file (digest) it was computed from, so that applying it
 * later can refuse a plan whose state has moved on.
 */
public record Plan(
        String lineage,
        long serial,
        boolean destroy,
        String file,
        String fileDigest,
        List<Change> changes,
        List<Drift> drift,
        List<String> warnings,
        Instant created) {

    /** How the warning begins that says a plan covers only part of the file ({@code --migration}, {@code --target}, {@code --shard}). */
    public static final String PARTIAL = "Partial plan: ";

    /**
     * Counts for the summary line. {@code cleanup} is every staging copy this plan deletes: those whose job is
     * done already, and those it makes that are deleted once what they were made for exists.
     */
    public record Summary(int add, int change, int destroy, int read, int cleanup, int forget) {
        public boolean isEmpty() {
            return add + change + destroy + read + cleanup + forget == 0;
        }
    }

    public Plan {
        requireNonNull(lineage, "lineage is null");
        requireNonNull(file, "file is null");
        requireNonNull(fileDigest, "fileDigest is null");
        changes = List.copyOf(changes);
        drift = List.copyOf(drift);
        warnings = List.copyOf(warnings);
        requireNonNull(created, "created is null");
    }

    public Summary summary() {
        int add = 0;
        int change = 0;
        int destroyed = 0;
        int read = 0;
        int cleanup = 0;
        int forget = 0;
        for (Change c : changes) {
            switch (c.action()) {
                case CREATE -> {
                    add++;
                    cleanup += c.lifecycle().isStagingCopy() ? 1 : 0;
                }
                case UPDATE -> change++;
                case REPLACE -> {
                    add++;
                    destroyed++;
                    cleanup += c.lifecycle().isStagingCopy() ? 1 : 0;
                }
                case DELETE -> destroyed++;
                case READ -> read++;
                case CLEANUP -> cleanup++;
                case FORGET -> forget++;
                case NOOP -> { }
            }
        }
        return new Summary(add, change, destroyed, read, cleanup, forget);
    }

    /**
     * Every warning the plan shows, in every form: the plan's own, then each change's, prefixed with its
     * address. A managed resource the plan does not change has nothing to warn about in this plan (the
     * backup AMI's reboot warning in a drift-only plan); what a data source read says is news each time.
     */
    public List<String> allWarnings() {
        List<String> all = new ArrayList<>(warnings);
        for (Change c : changes) {
            if (!c.action().isChange() && !c.address().isData()) {
                continue;
            }
            for (Note note : c.notes()) {
                if (note.level() == Note.Level.WARNING) {
                    all.add(c.address() + ": " + note.text());
                }
            }
        }
        return all;
    }

    /** Whether this plan covers only part of the file, and so may not show every change it asks for. */
    public boolean partial() {
        return warnings.stream().anyMatch(warning -> warning.startsWith(PARTIAL));
    }

    public boolean hasChanges() {
        return changes.stream().anyMatch(c -> c.action().isChange());
    }

    public Optional<Change> change(ResourceAddress address) {
        return changes.stream().filter(c -> c.address().equals(address)).findFirst();
    }
}
