package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.resource.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The tags that tie a Linode object to the ferry resource that made it. Linode tags are plain strings of
 * 3–50 characters (100 on images), so the identity becomes {@code ferry-id:<token>} (one incarnation of one
 * address in one state), plus a readable {@code ferry:<address>} when it fits. A lost id is found again by
 * the first; nothing without it is ever deleted.
 */
final class IdentityTags {

    static final String TOKEN_PREFIX = "ferry-id:";
    static final String ADDRESS_PREFIX = "ferry:";
    static final int MAX_LENGTH = 50;

    private static final Pattern ADDRESS_TAG = Pattern.compile("ferry:[a-z][a-z0-9_]*\\.[a-z0-9][a-z0-9_-]*");

    private IdentityTags() {
    }

    static String token(Identity identity) {
        return TOKEN_PREFIX + identity.token();
    }

    static List<String> of(Identity identity) {
        List<String> tags = new ArrayList<>();
        tags.add(token(identity));
        String address = ADDRESS_PREFIX + identity.address();
        if (address.length() <= MAX_LENGTH) {
            tags.add(address);
        }
        return tags;
    }

    static boolean isIdentityTag(String tag) {
        return tag.startsWith(TOKEN_PREFIX) || ADDRESS_TAG.matcher(tag).matches();
    }

    /** The user's tags (sorted, without duplicates) followed by the identity's: the {@code tags} a create sends. */
    static ArrayNode withIdentity(JsonNode userTags, Identity identity) {
        ArrayNode tags = JsonNodeFactory.instance.arrayNode();
        userTags(userTags).forEach(tags::add);
        of(identity).forEach(tags::add);
        return tags;
    }

    /** The tags a person gave, in a stable order: identity tags left out, sorted, without duplicates. */
    static List<String> userTags(JsonNode tags) {
        TreeSet<String> user = new TreeSet<>();
        if (tags != null) {
            tags.forEach(tag -> {
                if (!isIdentityTag(tag.asText())) {
                    user.add(tag.asText());
                }
            });
        }
        return List.copyOf(user);
    }

    static ArrayNode userTagsJson(JsonNode tags) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        userTags(tags).forEach(array::add);
        return array;
    }

    static boolean carries(JsonNode object, Identity identity) {
        String wanted = token(identity);
        for (JsonNode tag : object.path("tags")) {
            if (tag.asText().equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** {@code X-Filter} matching objects that carry the identity's token tag. */
    static ObjectNode filter(Identity identity) {
        ObjectNode filter = JsonNodeFactory.instance.objectNode();
        filter.put("tags", token(identity));
        return filter;
    }

    /** Refuses to {@code verb} an object that does not carry the identity's tag: ferry touches only what it made. */
    static void requireOurs(JsonNode object, String what, Identity identity, String verb) {
        if (!carries(object, identity)) {
            throw new FerryException(what + " does not carry ferry's tag " + token(identity) + ", so ferry will not " + verb
                    + " it: " + identity.address() + " did not make it. Add that tag to it if ferry made it, or "
                    + (verb.equals("delete") ? "delete it yourself" : "change it yourself") + " and run ferry again");
        }
    }
}
