package dev.ferry.engine.provider;

import java.util.Set;

/**
 * What the engine needs to know of a managed type's arguments to classify a change: which can change in place,
 * and whether the resource is only a record in state ({@code recordOnly}: a verification, nothing in any cloud),
 * which a failed attempt makes again instead of replacing, as there is nothing to remove first.
 */
public record ResourceSchema(Set<String> updatable, boolean recordOnly) {

    /** Every change replaces the resource. */
    public static final ResourceSchema IMMUTABLE = new ResourceSchema(Set.of());

    public ResourceSchema {
        updatable = Set.copyOf(updatable);
    }

    /** A resource in a cloud. */
    public ResourceSchema(Set<String> updatable) {
        this(updatable, false);
    }
}
