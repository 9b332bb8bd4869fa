package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider tells the engine about one kind of source or target section, so the engine can
 * check a file without knowing any cloud: which provider block it needs, whether it stages images
 * in the staging bucket, which disk image formats it produces or accepts, whether it has a firewall
 * to translate, and the provider's own checks of the section's contents: of what is written (at {@code validate})
 * and of the values its secret references resolve to ({@code secretChecks}, by field, at {@code plan} and before
 * {@code apply} makes anything).
 */
public record SectionKind(
        String name,
        Role role,
        String provider,
        boolean needsStaging,
        Set<String> imageFormats,
        boolean firewall,
        SectionCheck check,
        Map<String, SecretValueCheck> secretChecks) {

    public enum Role { SOURCE, TARGET }

    /** A provider's semantic checks of one section: what the schema cannot express. */
    @FunctionalInterface
    public interface SectionCheck {
        void check(Migration migration, Section section, MigrationFile file, Diagnostics out);

        SectionCheck NONE = (migration, section, file, out) -> { };
    }

    /**
     * A provider's check of the value a secret field of the section resolves to: why the cloud would refuse it
     * (a root password too short for Linode), found before anything is made rather than by the step that sends it.
     */
    @FunctionalInterface
    public interface SecretValueCheck {
        /** Why the cloud would refuse {@code value}, empty when it would not; never holds the value. */
        Optional<Refusal> check(String value);
    }

    /** What is wrong with a secret's value, and what to do about it (neither holds the value). */
    public record Refusal(String problem, String hint) {
        public Refusal {
            requireNonNull(problem, "problem is null");
            requireNonNull(hint, "hint is null");
        }
    }

    public SectionKind {
        requireNonNull(name, "name is null");
        requireNonNull(role, "role is null");
        requireNonNull(provider, "provider is null");
        imageFormats = Set.copyOf(imageFormats);
        requireNonNull(check, "check is null");
        secretChecks = Map.copyOf(secretChecks);
    }

    /** A kind whose secrets the provider does not check beyond their being readable. */
    public SectionKind(String name, Role role, String provider, boolean needsStaging, Set<String> imageFormats, boolean firewall,
                       SectionCheck check) {
        this(name, role, provider, needsStaging, imageFormats, firewall, check, Map.of());
    }
}
