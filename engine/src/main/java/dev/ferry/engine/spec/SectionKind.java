package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * What a provider tells the engine about one kind of source or target section, so the engine can
 * check a file without knowing any cloud: which provider block it needs, whether it stages images
 * in the staging bucket, which disk image formats it produces or accepts, whether it has a firewall
 * to translate, and the provider's own checks of the section's contents.
 */
public record SectionKind(
        String name,
        Role role,
        String provider,
        boolean needsStaging,
        Set<String> imageFormats,
        boolean firewall,
        SectionCheck check) {

    public enum Role { SOURCE, TARGET }

    /** A provider's semantic checks of one section: what the schema cannot express. */
    @FunctionalInterface
    public interface SectionCheck {
        void check(Migration migration, Section section, MigrationFile file, Diagnostics out);

        SectionCheck NONE = (migration, section, file, out) -> { };
    }

    public SectionKind {
        requireNonNull(name, "name is null");
        requireNonNull(role, "role is null");
        requireNonNull(provider, "provider is null");
        imageFormats = Set.copyOf(imageFormats);
        requireNonNull(check, "check is null");
    }
}
