package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One machine to move: its name, its source and target sections, the firewall it asks for, and the checks that
 * prove the target serves what the source did.
 */
public record Migration(String name, Section source, Section target, Optional<FirewallSpec> firewall,
                        Optional<VerifySpec> verify, String pointer) {

    public Migration {
        requireNonNull(name, "name is null");
        requireNonNull(source, "source is null");
        requireNonNull(target, "target is null");
        requireNonNull(firewall, "firewall is null");
        verify = verify == null ? Optional.empty() : verify;
        requireNonNull(pointer, "pointer is null");
    }

    /** A migration without checks. */
    public Migration(String name, Section source, Section target, Optional<FirewallSpec> firewall, String pointer) {
        this(name, source, target, firewall, Optional.empty(), pointer);
    }
}
