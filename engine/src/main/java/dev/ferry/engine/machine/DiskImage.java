package dev.ferry.engine.machine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A disk image on its way between clouds: which opener can read it ({@code kind}: {@code s3},
 * {@code file}), its format ({@code raw}, {@code vmdk}, {@code ova}, {@code vhd}, {@code vhdx}), its
 * size, and where it is in the opener's own terms ({@code location}, opaque to everyone else).
 */
public record DiskImage(String kind, String format, long sizeBytes, ObjectNode location, String description) {

    public DiskImage {
        requireNonNull(kind, "kind is null");
        requireNonNull(format, "format is null");
        requireNonNull(location, "location is null");
        requireNonNull(description, "description is null");
    }

    public JsonNode toJson() {
        return Neutral.toJson(this);
    }

    public static DiskImage fromJson(JsonNode node) {
        return Neutral.fromJson(node, DiskImage.class);
    }
}
