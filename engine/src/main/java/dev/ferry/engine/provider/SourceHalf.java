package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.Expression.Reference;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a source contributes to a migration: its resources, and references to the neutral
 * outputs the target consumes — the machine's facts ({@code MachineFacts} JSON), its firewall
 * ({@code FirewallIntent} JSON, when it has one), its disk image ({@code DiskImage} JSON) and, when the
 * source can hand them on one by one, its other disks ({@code dataDisks}: a JSON list, in the source's device
 * order, of {@code {"name", "device", "size_bytes", "disk_image"}}, the last a {@code DiskImage}).
 * {@code stagingCopies} are the resources that exist only to carry the image (an AMI, an exported
 * object); the engine applies the file's clean-up policy to them.
 */
public record SourceHalf(
        List<ResourceDeclaration> declarations,
        Reference machine,
        Optional<Reference> firewall,
        Reference diskImage,
        Set<ResourceAddress> stagingCopies,
        Optional<Reference> dataDisks) {

    public SourceHalf {
        declarations = List.copyOf(declarations);
        requireNonNull(machine, "machine is null");
        requireNonNull(firewall, "firewall is null");
        requireNonNull(diskImage, "diskImage is null");
        stagingCopies = Set.copyOf(stagingCopies);
        requireNonNull(dataDisks, "dataDisks is null");
    }

    /** A source that hands on its root disk only. */
    public SourceHalf(List<ResourceDeclaration> declarations, Reference machine, Optional<Reference> firewall,
                      Reference diskImage, Set<ResourceAddress> stagingCopies) {
        this(declarations, machine, firewall, diskImage, stagingCopies, Optional.empty());
    }
}
