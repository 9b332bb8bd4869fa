package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.Expression.Reference;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a target contributes: its resources, the resource after which the disk image is no longer
 * needed ({@code imported}: the staging copies of both halves may go once it exists), its own
 * staging copies (an image uploaded to S3 for import), and a reference to the new machine's addresses
 * ({@code {"public": [...], "private": [...]}}) that verification probes.
 */
public record TargetHalf(List<ResourceDeclaration> declarations, ResourceAddress imported, Set<ResourceAddress> stagingCopies,
                         Optional<Reference> addresses) {

    public TargetHalf {
        declarations = List.copyOf(declarations);
        requireNonNull(imported, "imported is null");
        stagingCopies = Set.copyOf(stagingCopies);
        requireNonNull(addresses, "addresses is null");
    }

    /** A target whose machine has no addresses to probe. */
    public TargetHalf(List<ResourceDeclaration> declarations, ResourceAddress imported, Set<ResourceAddress> stagingCopies) {
        this(declarations, imported, stagingCopies, Optional.empty());
    }
}
