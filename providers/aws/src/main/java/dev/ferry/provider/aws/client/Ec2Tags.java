package dev.ferry.provider.aws.client;

import dev.ferry.engine.resource.Identity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
