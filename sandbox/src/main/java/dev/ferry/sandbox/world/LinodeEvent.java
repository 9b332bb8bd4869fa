package dev.ferry.sandbox.world;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * An entry of {@code /account/events}.
 *
 * @param status   {@code started}, {@code finished}, {@code failed}, {@code scheduled} or {@code notification}
 * @param entityId numeric id of the entity (for an image, the number of {@code private/NUMBER})
 * @param message  for a failure, the reason
 */
public record LinodeEvent(long id, String action, String status, Instant created, String entityType, long entityId,
                          String entityLabel, String entityUrl, String message, int percentComplete) {
    public LinodeEvent {
        requireNonNull(action, "action is null");
        requireNonNull(status, "status is null");
        requireNonNull(created, "created is null");
        requireNonNull(entityType, "entityType is null");
    }

    LinodeEvent finished(String newStatus, String newMessage) {
        return new LinodeEvent(id, action, newStatus, created, entityType, entityId, entityLabel, entityUrl,
                newMessage, 100);
    }
}
