package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** One machine to move: its name, its source and target sections, and the firewall it asks for. */
public record Migration(String name, Section source, Section target, Optional<FirewallSpec> firewall, String pointer) {

    public Migration {
        requireNonNull(name, "name is null");
        requireNonNull(source, "source is null");
        requireNonNull(target, "target is null");
        requireNonNull(firewall, "firewall is null");
        requireNonNull(pointer, "pointer is null");
    }
}
