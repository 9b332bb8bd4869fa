package dev.ferry.engine.provider;

import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A resource ferry creates and owns. Every method may be called again after a crash: {@code create}
 * tags what it makes with the {@link Identity} so {@link #findExisting} can find it, long work
 * returns an {@link Outcome.InProgress} whose {@link Operation} the engine records at once and
 * later resumes with {@link #poll}.
 */
public non-sealed interface ManagedResourceType extends ResourceType {

    /** Which arguments can change in place; a change to any other one replaces the resource. */
    ResourceSchema schema();

    /**
     * Observes resources recorded in state, all at once (batched where the cloud allows). Returns an
     * observation for every request.
     */
    Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests);

    /**
     * Completes the desired arguments before the engine compares them with the state: fills in what
     * the provider computes (a matched instance type), checks what can be checked before anything is
     * created, and explains its choices in notes. Must not change anything in the cloud.
     */
    PlanResult plan(PlanRequest request);

    /**
     * Finds an object made for {@code identity} whose creation was sent but never recorded
     * (ferry was killed in between), by its tags or idempotency token.
     */
    Optional<Found> findExisting(Identity identity, Attributes arguments);

    Outcome create(ApplyContext context);

    /** Changes updatable arguments in place; called only when {@link ResourceSchema#updatable()} allows. */
    Outcome update(ApplyContext context);

    Outcome delete(ApplyContext context);

    /** Follows an operation a previous call (perhaps in a previous run) started. */
    Outcome poll(ApplyContext context, Operation operation);

    /** The named limits this resource holds while it is created (see {@link ProviderSession#limits()}). */
    Set<String> limits(Attributes arguments);

    /** An object found by its identity: its id, and the operation to follow if it is still being made. */
    record Found(String id, Optional<Operation> pending) {
    }
}
