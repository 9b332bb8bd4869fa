package dev.ferry.engine.expand;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a migration file asks for, expanded: one declaration per address (shared ones such as
 * the staging bucket merged), and which migrations each belongs to, for plans to group by.
 */
public final class Configuration {

    private final Map<ResourceAddress, ResourceDeclaration> declarations;
    private final Map<ResourceAddress, Set<String>> migrations;

    public Configuration(Map<ResourceAddress, ResourceDeclaration> declarations, Map<ResourceAddress, Set<String>> migrations) {
        this.declarations = Collections.unmodifiableMap(new LinkedHashMap<>(declarations));
        this.migrations = Map.copyOf(requireNonNull(migrations, "migrations is null"));
    }

    public static Configuration empty() {
        return new Configuration(Map.of(), Map.of());
    }

    public Collection<ResourceDeclaration> declarations() {
        return declarations.values();
    }

    public Optional<ResourceDeclaration> get(ResourceAddress address) {
        return Optional.ofNullable(declarations.get(address));
    }

    public boolean contains(ResourceAddress address) {
        return declarations.containsKey(address);
    }

    /** The migrations that declared {@code address} (several for shared resources). */
    public Set<String> migrationsOf(ResourceAddress address) {
        return migrations.getOrDefault(address, Set.of());
    }

    public int size() {
        return declarations.size();
    }
}
