package dev.ferry.provider.aws.task;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import java.util.Set;

/** What every AWS resource type has: its name, its schema, and the clients and calls it works through. */
public abstract class AwsResource implements ManagedResourceType {

    protected final AwsClients clients;
    protected final AwsCalls calls;
    private final String name;
    private final ResourceSchema schema;

    protected AwsResource(String name, ResourceSchema schema, AwsClients clients, AwsCalls calls) {
        this.name = requireNonNull(name, "name is null");
        this.schema = requireNonNull(schema, "schema is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.calls = requireNonNull(calls, "calls is null");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final ResourceSchema schema() {
        return schema;
    }

    /** None, unless the type says otherwise: most AWS resources hold no named limit while they are made. */
    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }
}
