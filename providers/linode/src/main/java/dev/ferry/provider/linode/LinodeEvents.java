package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** Why something went wrong, as {@code GET /account/events} tells it. */
final class LinodeEvents {

    private LinodeEvents() {
    }

    /** The latest event about {@code entityId} with {@code action}, newest first. */
    static Optional<JsonNode> latest(LinodeClient client, String action, long entityId) {
        ObjectNode filter = JsonNodeFactory.instance.objectNode();
        filter.put("action", action);
        filter.put("entity.id", entityId);
        filter.put("+order_by", "created");
        filter.put("+order", "desc");
        JsonNode page = client.firstPage("/account/events", filter);
        for (JsonNode event : page.path("data")) {
            if (event.path("entity").path("id").asLong() == entityId) {
                return Optional.of(event);
            }
        }
        return Optional.empty();
    }

    /** {@code failed: <message>} for an event that failed, else its status. */
    static String describe(JsonNode event) {
        String status = event.path("status").asText("unknown");
        String message = event.path("message").isNull() ? "" : event.path("message").asText("");
        return message.isBlank() ? status : status + ": " + message;
    }

    /** The reason an image is gone: its failed upload, its deletion, or nothing known. */
    static String imageGone(LinodeClient client, String imageId) {
        long number = imageNumber(imageId);
        if (number < 0) {
            return "it no longer exists";
        }
        try {
            Optional<JsonNode> upload = latest(client, "image_upload", number);
            if (upload.isPresent() && upload.get().path("status").asText().equals("failed")) {
                String message = upload.get().path("message").asText("");
                return "its upload failed" + (message.isBlank() || upload.get().path("message").isNull() ? "" : ": " + message);
            }
            Optional<JsonNode> deleted = latest(client, "image_delete", number);
            if (deleted.isPresent()) {
                String who = deleted.get().path("username").asText("");
                return "it was deleted" + (who.isBlank() ? "" : " by " + who);
            }
        } catch (LinodeApiException e) {
            return "it no longer exists (the account's events could not be read: " + e.getMessage() + ")";
        }
        return "it no longer exists, and the account's events do not say why";
    }

    /** {@code private/12345} → 12345. */
    static long imageNumber(String imageId) {
        int slash = imageId.lastIndexOf('/');
        try {
            return Long.parseLong(imageId.substring(slash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
