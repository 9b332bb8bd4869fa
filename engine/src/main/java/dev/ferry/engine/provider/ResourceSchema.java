package dev.ferry.engine.provider;

import java.util.Set;

/** What the engine needs to know of a managed type's arguments to classify a change. */
public record ResourceSchema(Set<String> updatable) {

    /** Every change replaces the resource. */
    public static final ResourceSchema IMMUTABLE = new ResourceSchema(Set.of());

    public ResourceSchema {
        updatable = Set.copyOf(updatable);
    }
}
