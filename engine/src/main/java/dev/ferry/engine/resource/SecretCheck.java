package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SecretReferences;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SectionKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves every secret a migration file refers to before anything is done with it, so a variable
 * that is not set or a file that cannot be read is found by {@code plan}, at its place in the file,
 * and not by the last step of an apply; and checks each value the way the cloud that receives it would
 * (a {@link SectionKind.SecretValueCheck} of the section's provider), so a value the cloud would refuse is
 * found there too. The values are only held (never printed or stored); what {@link #resolver()} gives the
 * apply are these same values.
 */
public final class SecretCheck {

    private final List<Diagnostic> problems;
    private final Map<SecretReference, Secret> resolved;
    private final int refused;

    private SecretCheck(List<Diagnostic> problems, Map<SecretReference, Secret> resolved, int refused) {
        this.problems = List.copyOf(problems);
        this.resolved = Map.copyOf(resolved);
        this.refused = refused;
    }

    /** Resolves each reference of {@code file} with {@code resolver}, noting every one that cannot be had. */
    public static SecretCheck of(MigrationFile file, SecretResolver resolver) {
        return of(file, resolver, List.of());
    }

    /**
     * Resolves each reference of {@code file} with {@code resolver}, noting every one that cannot be had, and
     * checks each value with the secret checks of the section kind (among {@code kinds}) it is written in.
     */
    public static SecretCheck of(MigrationFile file, SecretResolver resolver, Collection<SectionKind> kinds) {
        requireNonNull(file, "file is null");
        requireNonNull(resolver, "resolver is null");
        List<Diagnostic> problems = new ArrayList<>();
        Map<SecretReference, Secret> resolved = new LinkedHashMap<>();
        Map<SecretReference, String> failed = new HashMap<>();
        int refused = 0;
        for (SecretReferences.Located located : SecretReferences.of(file.document())) {
            SecretReference reference = located.reference();
            if (!resolved.containsKey(reference) && !failed.containsKey(reference)) {
                try {
                    resolved.put(reference, resolver.resolve(reference));
                } catch (FerryException e) {
                    failed.put(reference, e.getMessage());
                }
            }
            Optional.ofNullable(failed.get(reference)).ifPresent(message ->
                    problems.add(Diagnostic.error(located.location(), located.path() + ": " + message, hint(reference))));
            Secret value = resolved.get(reference);
            Optional<SectionKind.Refusal> refusal = value == null ? Optional.empty()
                    : checkOf(file, kinds, located.pointer()).flatMap(check -> check.check(value.reveal()));
            if (refusal.isPresent()) {
                refused++;
                problems.add(Diagnostic.error(located.location(), located.path() + " (" + reference + "): " + refusal.get().problem(),
                        refusal.get().hint() + ", and " + where(reference)));
            }
        }
        return new SecretCheck(problems, resolved, refused);
    }

    /** The check of the field at {@code pointer}, when it is a field of a source or target section that has one. */
    private static Optional<SectionKind.SecretValueCheck> checkOf(MigrationFile file, Collection<SectionKind> kinds, String pointer) {
        return file.migrations().stream()
                .flatMap(migration -> checkIn(migration.source(), SectionKind.Role.SOURCE, kinds, pointer)
                        .or(() -> checkIn(migration.target(), SectionKind.Role.TARGET, kinds, pointer)).stream())
                .findFirst();
    }

    private static Optional<SectionKind.SecretValueCheck> checkIn(Section section, SectionKind.Role role, Collection<SectionKind> kinds,
                                                                 String pointer) {
        if (!pointer.startsWith(section.pointer() + "/")) {
            return Optional.empty();
        }
        String field = pointer.substring(section.pointer().length() + 1);
        return kinds.stream().filter(kind -> kind.role() == role && kind.name().equals(section.kind())).findFirst()
                .flatMap(kind -> Optional.ofNullable(kind.secretChecks().get(field)));
    }

    private static String where(SecretReference reference) {
        return switch (reference.kind()) {
            case ENV -> "set " + reference.name() + " to it in the shell that runs ferry";
            case FILE -> "write it to " + reference.name() + " (relative to the migration file's folder)";
        };
    }

    private static String hint(SecretReference reference) {
        return switch (reference.kind()) {
            case ENV -> "set it in the shell that runs ferry (export " + reference.name() + "=...); ferry never prints or stores its value";
            case FILE -> "create " + reference.name() + " (relative to the migration file's folder, readable by you only) or correct the path";
        };
    }

    /** Every reference that cannot be resolved, at its place in the file (one per use). */
    public List<Diagnostic> problems() {
        return problems;
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The one line that ends the problems printed above it: {@code migration.yaml refers to a secret that cannot be read ...}. */
    public String summary(String fileName) {
        int unreadable = problems.size() - refused;
        List<String> parts = new ArrayList<>();
        if (unreadable > 0) {
            parts.add("refers to " + (unreadable == 1 ? "a secret" : unreadable + " secrets") + " that cannot be read");
        }
        if (refused > 0) {
            parts.add("has " + (refused == 1 ? "a secret" : refused + " secrets") + " the cloud would refuse");
        }
        return fileName + " " + String.join(" and ", parts) + " (see above); nothing was changed.";
    }

    /**
     * The values resolved here, for the apply; a reference not made by the file (there is none when the
     * saved plan matches the file) is resolved by {@code fallback} when it is needed.
     */
    public SecretResolver resolver(SecretResolver fallback) {
        requireNonNull(fallback, "fallback is null");
        return reference -> {
            Secret secret = resolved.get(reference);
            return secret != null ? secret : fallback.resolve(reference);
        };
    }
}
