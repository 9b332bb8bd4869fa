package dev.ferry.sandbox.world;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A vCenter API session ({@code POST /api/session}); its id is the {@code vmware-api-session-id} a client
 * sends. Sessions live in memory only, as they do in vCenter across a restart.
 */
public record VcenterSession(String id, String user, Instant createdTime, Instant lastAccessedTime) {
    public VcenterSession {
        requireNonNull(id, "id is null");
        requireNonNull(user, "user is null");
        requireNonNull(createdTime, "createdTime is null");
        requireNonNull(lastAccessedTime, "lastAccessedTime is null");
    }

    public VcenterSession accessed(Instant at) {
        return new VcenterSession(id, user, createdTime, at);
    }

    /** Without the session id, which is a credential. */
    @Override
    public String toString() {
        return "VcenterSession[user=" + user + ", created=" + createdTime + "]";
    }
}
