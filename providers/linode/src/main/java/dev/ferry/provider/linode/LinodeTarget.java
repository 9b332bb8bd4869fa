package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ferry.engine.spec.SecretReference;
import java.util.List;
import java.util.Optional;

/** {@code target.linode}: the Linode to create, from an uploaded image or from the source's disk written onto it. */
public record LinodeTarget(
        String region,
        String type,
        @JsonProperty("class") TypeClass typeClass,
        Optional<String> label,
        SecretReference rootPass,
        List<String> authorizedKeys,
        List<String> tags,
        Boolean booted,
        boolean cloudInit,
        Optional<Via> via) {

    public static final String MATCH = "match";

    /** The plan classes {@code type: match} can prefer, as {@code GET /linode/types} names them. */
    public enum TypeClass {
        @JsonProperty("standard") STANDARD,
        @JsonProperty("dedicated") DEDICATED,
        @JsonProperty("highmem") HIGHMEM
    }

    /**
     * How the source's disk reaches the Linode: as a custom image (at most 6 GB raw, 5 GB gzipped), or written
     * straight onto a raw disk of the Linode through a temporary helper, as large as the type's disk allows. When
     * the file names neither, {@link LinodeRoad} chooses by the source's disk.
     */
    public enum Via {
        @JsonProperty("image") IMAGE,
        @JsonProperty("disk") DISK
    }

    public LinodeTarget {
        requireNonNull(region, "region is null");
        via = via == null ? Optional.empty() : via;
        // rootPass may be null: the image road needs it, and its plan says so (the road may be chosen only then)
        type = type == null ? MATCH : type;
        typeClass = typeClass == null ? TypeClass.STANDARD : typeClass;
        label = label == null ? Optional.empty() : label;
        authorizedKeys = authorizedKeys == null ? List.of() : List.copyOf(authorizedKeys);
        tags = tags == null ? List.of() : List.copyOf(tags);
        booted = booted == null ? Boolean.TRUE : booted;
    }
}
