package dev.ferry.engine.provider;

import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.SectionKind;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cloud (or other place machines live) as the engine sees it. Providers are found through Guice
 * and never import one another: a journey from one to another is made of resources and references
 * in the engine's neutral vocabulary (machine facts, firewall intent, disk images).
 */
public interface Provider {

    /** The key of this provider's block under {@code providers:} ({@code aws}, {@code linode}). */
    String name();

    /** The source sections this provider owns ({@code source.ec2}), and how each expands. */
    List<SourceKind> sources();

    /** The target sections this provider owns ({@code target.linode}), and how each expands. */
    List<TargetKind> targets();

    /**
     * Connects for one command run: reads the provider block, finds credentials, builds clients.
     * Called only when a migration in the file uses this provider.
     */
    ProviderSession open(ProviderContext context);

    /** Every section kind, for checking a file without connecting anywhere. */
    default List<SectionKind> sectionKinds() {
        return Stream.concat(sources().stream().map(SourceKind::section), targets().stream().map(TargetKind::section)).toList();
    }

    /**
     * The state backend for remote state this provider keeps ({@code s3} for the AWS provider), connected with
     * the provider's own credentials and endpoint (its block in {@code context}, when the file has one); empty
     * when this provider does not keep state of {@code location}'s scheme.
     */
    default java.util.Optional<dev.ferry.engine.state.StateBackend> stateBackend(
            dev.ferry.engine.state.RemoteStateLocation location, ProviderContext context) {
        return java.util.Optional.empty();
    }

    /**
     * What the cloud must allow for the resource at {@code address} (one of this provider's types) of {@code file}, given
     * the arguments the file sets ({@code arguments}; those taken from other resources' outputs are unknown): every
     * action its plan, create, poll, delete and clean-up call. Empty when the type is not this provider's.
     */
    default List<dev.ferry.engine.permission.Permission> permissions(MigrationFile file, dev.ferry.engine.resource.ResourceAddress address,
                                                                     dev.ferry.engine.resource.Attributes arguments) {
        return List.of();
    }

    /** What keeping state at {@code location} needs (reading, writing and locking it), when this provider keeps it. */
    default List<dev.ferry.engine.permission.Permission> statePermissions(dev.ferry.engine.state.RemoteStateLocation location) {
        return List.of();
    }

    /** {@code permissions} (gathered from this provider's own answers) written as its cloud takes them. */
    default java.util.Optional<dev.ferry.engine.permission.PermissionDocument> permissionDocument(
            List<dev.ferry.engine.permission.Permission> permissions) {
        return java.util.Optional.empty();
    }
}
