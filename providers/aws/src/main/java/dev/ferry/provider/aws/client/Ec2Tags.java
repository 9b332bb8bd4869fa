package dev.ferry.provider.aws.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The tags that name what ferry made (address, lineage and the incarnation's token), in EC2's shapes. */
public final class Ec2Tags {

    private Ec2Tags() {
    }

    /** The identity's tags, then {@code extra} (the file's own tags, a Name). */
    public static Map<String, String> of(Identity identity, Map<String, String> extra) {
        Map<String, String> tags = new LinkedHashMap<>(extra);
        tags.put(Identity.ADDRESS_TAG, identity.address().toString());
        tags.put(Identity.LINEAGE_TAG, identity.lineage());
        tags.put(Identity.TOKEN_TAG, identity.token());
        return tags;
    }

    public static List<Tag> list(Map<String, String> tags) {
        List<Tag> list = new ArrayList<>();
        tags.forEach((key, value) -> list.add(Tag.builder().key(key).value(value).build()));
        return list;
    }

    public static TagSpecification specification(ResourceType type, Map<String, String> tags) {
        return TagSpecification.builder().resourceType(type).tags(list(tags)).build();
    }

    /** The file's own tags, as a resource's {@code tags} argument holds them (none when it has none). */
    public static Map<String, String> fromArgument(Attributes arguments) {
        Map<String, String> tags = new TreeMap<>();
        arguments.find("tags").filter(JsonNode::isObject).ifPresent(node -> node.properties()
                .forEach(field -> tags.put(field.getKey(), field.getValue().asText())));
        return tags;
    }

    /**
     * Makes {@code ids} carry {@code wanted}: every wanted tag is set, and the keys {@code before} had that
     * {@code wanted} has not are removed (tags ferry never set are left alone).
     */
    public static void retag(AwsClients clients, AwsCalls calls, List<String> ids, Map<String, String> wanted, Map<String, String> before) {
        if (ids.isEmpty()) {
            return;
        }
        String what = String.join(", ", ids);
        calls.run("EC2 CreateTags " + what, () -> clients.ec2().createTags(r -> r.resources(ids).tags(list(wanted))));
        List<Tag> removed = before.keySet().stream().filter(key -> !wanted.containsKey(key)).map(key -> Tag.builder().key(key).build()).toList();
        if (!removed.isEmpty()) {
            calls.run("EC2 DeleteTags " + what, () -> clients.ec2().deleteTags(r -> r.resources(ids).tags(removed)));
        }
    }

    /** The filter that finds what was made for exactly this incarnation. */
    public static Filter tokenFilter(Identity identity) {
        return Filter.builder().name("tag:" + Identity.TOKEN_TAG).values(identity.token()).build();
    }

    public static Map<String, String> map(List<Tag> tags) {
        Map<String, String> map = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach(tag -> map.put(tag.key(), tag.value()));
        }
        return map;
    }

    public static boolean carries(List<Tag> tags, Identity identity) {
        return identity.token().equals(map(tags).get(Identity.TOKEN_TAG));
    }

    static Optional<String> name(List<Tag> tags) {
        return Optional.ofNullable(map(tags).get("Name"));
    }

    public static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    public static Filter filter(String name, java.util.Collection<String> values) {
        return Filter.builder().name(name).values(values).build();
    }
}
