package dev.ferry.engine.provider;

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
}
