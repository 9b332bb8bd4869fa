package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SecretReferences;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves every secret a migration file refers to before anything is done with it, so a variable
 * that is not set or a file that cannot be read is found by {@code plan}, at its place in the file,
 * and not by the last step of an apply. The values are only held (never printed or stored); what
 * {@link #resolver()} gives the apply are these same values.
 */
public final class SecretCheck {

    private final List<Diagnostic> problems;
    private final Map<SecretReference, Secret> resolved;

    private SecretCheck(List<Diagnostic> problems, Map<SecretReference, Secret> resolved) {
        this.problems = List.copyOf(problems);
        this.resolved = Map.copyOf(resolved);
    }

    /** Resolves each reference of {@code file} with {@code resolver}, noting every one that cannot be had. */
    public static SecretCheck of(MigrationFile file, SecretResolver resolver) {
        requireNonNull(file, "file is null");
        requireNonNull(resolver, "resolver is null");
        List<Diagnostic> problems = new ArrayList<>();
        Map<SecretReference, Secret> resolved = new LinkedHashMap<>();
        Map<SecretReference, String> failed = new HashMap<>();
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
        }
        return new SecretCheck(problems, resolved);
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
