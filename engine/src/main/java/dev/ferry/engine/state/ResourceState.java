package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.SecretReference;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One resource as state records it. {@code arguments} are the known arguments last applied;
 * secret arguments are recorded only as their references ({@code secrets}), never as values. {@code migration} is the
 * migration whose state object holds the record (empty: the object of what migrations share); it is where the record
 * is kept, not part of the record's JSON.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ResourceState(
        ResourceAddress address,
        ResourceStatus status,
        Optional<String> id,
        int generation,
        ObjectNode arguments,
        Map<String, SecretReference> secrets,
        ObjectNode outputs,
        List<ResourceAddress> dependencies,
        List<ResourceAddress> cleanupAfter,
        boolean retainOnDestroy,
        Optional<Operation> operation,
        Optional<String> error,
        Instant updatedAt,
        @JsonIgnore Optional<String> migration) {

    /** A record of no migration yet (what migrations share, or state read before ferry kept one object per migration). */
    public ResourceState(ResourceAddress address, ResourceStatus status, Optional<String> id, int generation, ObjectNode arguments,
                         Map<String, SecretReference> secrets, ObjectNode outputs, List<ResourceAddress> dependencies,
                         List<ResourceAddress> cleanupAfter, boolean retainOnDestroy, Optional<Operation> operation,
                         Optional<String> error, Instant updatedAt) {
        this(address, status, id, generation, arguments, secrets, outputs, dependencies, cleanupAfter, retainOnDestroy, operation,
                error, updatedAt, Optional.empty());
    }

    @JsonCreator
    public ResourceState {
        requireNonNull(address, "address is null");
        requireNonNull(status, "status is null");
        id = id == null ? Optional.empty() : id;
        if (generation < 1) {
            generation = 1;
        }
        // JSON trees held here are never modified after they are handed over (withApplied and
        // withOutputs take copies), so the many small "with" steps of an apply share them.
        arguments = arguments == null ? JsonNodeFactory.instance.objectNode() : arguments;
        secrets = secrets == null ? Map.of() : secrets instanceof TreeMap<?, ?> ? secrets : new TreeMap<>(secrets);
        outputs = outputs == null ? JsonNodeFactory.instance.objectNode() : outputs;
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        cleanupAfter = cleanupAfter == null ? List.of() : List.copyOf(cleanupAfter);
        operation = operation == null ? Optional.empty() : operation;
        error = error == null ? Optional.empty() : error;
        requireNonNull(updatedAt, "updatedAt is null");
        migration = migration == null ? Optional.empty() : migration;
    }

    public static ResourceState creating(ResourceAddress address, int generation, Instant now) {
        return new ResourceState(address, ResourceStatus.CREATING, Optional.empty(), generation, null, null, null,
                null, null, false, Optional.empty(), Optional.empty(), now);
    }

    public ResourceState withStatus(ResourceStatus newStatus, Instant now) {
        return new ResourceState(address, newStatus, id, generation, arguments, secrets, outputs, dependencies, cleanupAfter,
                retainOnDestroy, operation, error, now, migration);
    }

    public ResourceState withId(Optional<String> newId, Instant now) {
        return new ResourceState(address, status, newId, generation, arguments, secrets, outputs, dependencies, cleanupAfter,
                retainOnDestroy, operation, error, now, migration);
    }

    public ResourceState withOperation(Optional<Operation> newOperation, Instant now) {
        return new ResourceState(address, status, id, generation, arguments, secrets, outputs, dependencies, cleanupAfter,
                retainOnDestroy, newOperation, error, now, migration);
    }

    public ResourceState withError(Optional<String> newError, Instant now) {
        return new ResourceState(address, status, id, generation, arguments, secrets, outputs, dependencies, cleanupAfter,
                retainOnDestroy, operation, newError, now, migration);
    }

    public ResourceState withOutputs(ObjectNode newOutputs, Instant now) {
        return new ResourceState(address, status, id, generation, arguments, secrets, newOutputs.deepCopy(), dependencies, cleanupAfter,
                retainOnDestroy, operation, error, now, migration);
    }

    public ResourceState withApplied(ObjectNode newArguments, Map<String, SecretReference> newSecrets,
                                     List<ResourceAddress> newDependencies, List<ResourceAddress> newCleanupAfter,
                                     boolean newRetainOnDestroy, Instant now) {
        return new ResourceState(address, status, id, generation, newArguments.deepCopy(), newSecrets, outputs, newDependencies,
                newCleanupAfter, newRetainOnDestroy, operation, error, now, migration);
    }

    /**
     * The same record, kept with the migration {@code name} (an entry of {@code migrations:} in the file), or with what
     * migrations share when empty: it decides which state object holds the record, and is not written inside it.
     */
    public ResourceState withMigration(Optional<String> name) {
        if (name.equals(migration)) {
            return this;
        }
        return new ResourceState(address, status, id, generation, arguments, secrets, outputs, dependencies, cleanupAfter,
                retainOnDestroy, operation, error, updatedAt, name);
    }

    public ResourceState withGeneration(int newGeneration, Instant now) {
        return new ResourceState(address, status, id, newGeneration, arguments, secrets, outputs, dependencies, cleanupAfter,
                retainOnDestroy, operation, error, now, migration);
    }
}
