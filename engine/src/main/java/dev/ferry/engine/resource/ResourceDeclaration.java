package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.spec.SourceLocation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A resource as a migration file asks for it, after expansion: its address, its arguments (some of
 * them references to other resources' outputs), its lifecycle, and where in the file it comes from
 * so that errors about it can point there.
 */
public record ResourceDeclaration(
        ResourceAddress address,
        Map<String, Expression> arguments,
        Set<ResourceAddress> dependsOn,
        Lifecycle lifecycle,
        SourceLocation origin) {

    public ResourceDeclaration {
        requireNonNull(address, "address is null");
        arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        dependsOn = Set.copyOf(dependsOn);
        requireNonNull(lifecycle, "lifecycle is null");
        requireNonNull(origin, "origin is null");
    }

    public static Builder builder(ResourceAddress address, SourceLocation origin) {
        return new Builder(address, origin);
    }

    /** Every resource this one needs first: those its arguments refer to, and explicit ones. */
    public Set<ResourceAddress> dependencies() {
        Set<ResourceAddress> all = new TreeSet<>(dependsOn);
        for (Expression expression : arguments.values()) {
            if (expression instanceof Expression.Reference reference) {
                all.add(reference.address());
            }
        }
        return all;
    }

    public ResourceDeclaration withLifecycle(Lifecycle newLifecycle) {
        return new ResourceDeclaration(address, arguments, dependsOn, newLifecycle, origin);
    }

    /** Builds a declaration argument by argument, in the order they are shown in plans. */
    public static final class Builder {
        private final ResourceAddress address;
        private final SourceLocation origin;
        private final Map<String, Expression> arguments = new LinkedHashMap<>();
        private final Set<ResourceAddress> dependsOn = new TreeSet<>();
        private Lifecycle lifecycle = Lifecycle.DEFAULT;

        private Builder(ResourceAddress address, SourceLocation origin) {
            this.address = requireNonNull(address, "address is null");
            this.origin = requireNonNull(origin, "origin is null");
        }

        public Builder argument(String name, Expression value) {
            arguments.put(name, requireNonNull(value, "value is null"));
            return this;
        }

        public Builder argument(String name, String value) {
            return argument(name, Expression.literal(value));
        }

        public Builder argument(String name, long value) {
            return argument(name, Expression.literal(value));
        }

        public Builder argument(String name, boolean value) {
            return argument(name, Expression.literal(value));
        }

        public Builder argument(String name, com.fasterxml.jackson.databind.JsonNode value) {
            return argument(name, Expression.literal(value));
        }

        public Builder reference(String name, ResourceAddress target, String output) {
            return argument(name, new Expression.Reference(target, output));
        }

        public Builder dependsOn(ResourceAddress other) {
            dependsOn.add(other);
            return this;
        }

        public Builder lifecycle(Lifecycle value) {
            lifecycle = requireNonNull(value, "value is null");
            return this;
        }

        public ResourceDeclaration build() {
            return new ResourceDeclaration(address, arguments, dependsOn, lifecycle, origin);
        }
    }
}
