package dev.ferry.engine.resource;

import java.util.Set;
import java.util.TreeSet;

/**
 * How long a resource lives. Staging copies (an AMI, an exported image object) exist only for the
 * journey: with {@code cleanupAfter} they are deleted once those resources exist, and are not made
 * again while what they fed is in place. With {@code retainOnDestroy}, {@code ferry destroy} leaves
 * the resource where it is and only forgets it (the file said to keep it).
 */
public record Lifecycle(Set<ResourceAddress> cleanupAfter, boolean retainOnDestroy) {

    public static final Lifecycle DEFAULT = new Lifecycle(Set.of(), false);

    public Lifecycle {
        cleanupAfter = Set.copyOf(cleanupAfter);
    }

    public boolean isStagingCopy() {
        return !cleanupAfter.isEmpty();
    }

    /** The lifecycle of a resource declared by several migrations: cleaned up after all of them. */
    public Lifecycle merge(Lifecycle other) {
        Set<ResourceAddress> union = new TreeSet<>(cleanupAfter);
        union.addAll(other.cleanupAfter);
        return new Lifecycle(union, retainOnDestroy && other.retainOnDestroy);
    }
}
