package dev.ferry.provider.aws;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.testing.FreezableStateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A resource type that "dies" right after its create call returned: the cloud acted, but the answer
 * never reached the state (the store is frozen, the step fails). The next run must find what was
 * made by its identity instead of making it twice.
 */
final class KillAfterCreate implements ManagedResourceType {

    private final ManagedResourceType delegate;
    private final FreezableStateStore store;

    private KillAfterCreate(ManagedResourceType delegate, FreezableStateStore store) {
        this.delegate = delegate;
        this.store = store;
    }

    /** Wraps the type named {@code name} of a session, leaving the others as they are. */
    static java.util.function.UnaryOperator<ResourceType> of(String name, FreezableStateStore store) {
        return type -> type.name().equals(name) && type instanceof ManagedResourceType managed ? new KillAfterCreate(managed, store) : type;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public ResourceSchema schema() {
        return delegate.schema();
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        return delegate.refresh(requests);
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        return delegate.plan(request);
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return delegate.findExisting(identity, arguments);
    }

    @Override
    public Outcome create(ApplyContext context) {
        delegate.create(context);
        store.freeze();
        throw new FerryException("killed after the create call returned");
    }

    @Override
    public Outcome update(ApplyContext context) {
        return delegate.update(context);
    }

    @Override
    public Outcome delete(ApplyContext context) {
        return delegate.delete(context);
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        return delegate.poll(context, operation);
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return delegate.limits(arguments);
    }
}
