package dev.ferry.provider.aws.task;

import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import java.util.Optional;
import java.util.Set;

/**
 * A resource made by a VM Import/Export conversion task: it holds one of the region's conversion slots
 * while it runs, starts its task (again, after a start refused for a slot or the role), follows it with
 * {@link ConversionTasks}, finds an unrecorded one by ferry's tags, and is replaced, never updated.
 */
public abstract class ConversionTaskResource<T> extends AwsResource {

    protected final ConversionTasks<T> tasks;

    protected ConversionTaskResource(String name, AwsClients clients, AwsCalls calls, ConversionTasks.Kind<T> kind) {
        super(name, ResourceSchema.IMMUTABLE, clients, calls);
        this.tasks = new ConversionTasks<>(clients, calls, kind);
    }

    /** Starts the task: the first {@code attempt}, or a later one after a start refused for a slot or the role. */
    protected abstract Outcome start(ApplyContext context, int attempt);

    /** One poll of the running task {@code operation} follows. */
    protected abstract Outcome follow(ApplyContext context, Operation operation);

    @Override
    public final Outcome create(ApplyContext context) {
        return start(context, 1);
    }

    @Override
    public final Outcome poll(ApplyContext context, Operation operation) {
        Optional<Integer> restart = ConversionTasks.restart(operation);
        return restart.isPresent() ? start(context, restart.get()) : follow(context, operation);
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return tasks.find(identity).map(tasks::found);
    }

    @Override
    public final Set<String> limits(Attributes arguments) {
        return Set.of(ConversionTasks.limit(clients.regionName()));
    }

    @Override
    public final Outcome update(ApplyContext context) {
        throw new IllegalStateException(name() + " is replaced, never updated");
    }
}
