package dev.ferry.engine.graph;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;

/** One vertex of the apply graph: one kind of work on one resource. A replacement is two steps. */
public record Step(Kind kind, ResourceAddress address) implements Comparable<Step> {

    public enum Kind { READ, DELETE, CREATE, UPDATE, CLEANUP, FORGET }

    public Step {
        requireNonNull(kind, "kind is null");
        requireNonNull(address, "address is null");
    }

    /** Work that brings a resource into being or up to date (as opposed to removing it). */
    public boolean isForward() {
        return kind == Kind.CREATE || kind == Kind.UPDATE || kind == Kind.READ;
    }

    @Override
    public int compareTo(Step other) {
        int byAddress = address.compareTo(other.address);
        return byAddress != 0 ? byAddress : kind.compareTo(other.kind);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + address;
    }
}
