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
import java.util.TreeSet;

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

    /** The names of every migration that declared something, sorted. */
    public Set<String> migrationNames() {
        Set<String> names = new TreeSet<>();
        migrations.values().forEach(names::addAll);
        return names;
    }

    /** The same configuration with only the declarations at {@code addresses}, in their order. */
    public Configuration only(Set<ResourceAddress> addresses) {
        Map<ResourceAddress, ResourceDeclaration> kept = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        declarations.forEach((address, declaration) -> {
            if (addresses.contains(address)) {
                kept.put(address, declaration);
                owners.put(address, migrationsOf(address));
            }
        });
        return new Configuration(kept, owners);
    }
}
