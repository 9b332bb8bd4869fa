package dev.ferry.engine.resource;

import dev.ferry.engine.spec.SecretReference;

/** Turns a secret reference into its value, at the moment it is needed and not before. */
@FunctionalInterface
public interface SecretResolver {

    /**
     * The value {@code reference} points at.
     *
     * @throws dev.ferry.engine.FerryException when it cannot be had (variable unset, file missing),
     *     with a message naming the reference but never a value
     */
    Secret resolve(SecretReference reference);
}
