package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One migration's records (or, with {@code migration} empty, those of what migrations share: the staging bucket, the
 * vmimport role), as a step writes them: only this part's object is rewritten, so the write costs the size of one
 * migration, not of the whole state. {@code changes} is how many changes it carries since it was last written (its
 * object's serial grows by as much, so the state's serial, the sum of its objects', still counts every change).
 * {@code changed} names the records those changes added, replaced or removed: the shared object, which other shards
 * write too, is merged (their records, with these replaced) rather than overwritten.
 */
public record StatePart(String lineage, Optional<String> file, Optional<String> migration, Collection<ResourceState> resources,
                        long changes, Set<ResourceAddress> changed) {

    public StatePart {
        requireNonNull(lineage, "lineage is null");
        requireNonNull(file, "file is null");
        requireNonNull(migration, "migration is null");
        resources = List.copyOf(resources);
        changed = Set.copyOf(changed);
    }

    public StatePart(String lineage, Optional<String> file, Optional<String> migration, Collection<ResourceState> resources,
                     long changes) {
        this(lineage, file, migration, resources, changes, Set.of());
    }
}
