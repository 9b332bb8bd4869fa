package dev.ferry.engine.diff;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which part of the file a plan covers, as Terraform's {@code -target} does: the migrations named
 * ({@code --migration}), the resources named ({@code --target}), or one shard of the migrations ({@code --shard});
 * each with what it depends on (what depends on it, when destroying). Empty: the whole file.
 */
public record Selection(Set<String> migrations, Set<String> targets, Optional<Shard> shard) {

    public static final Selection ALL = new Selection(Set.of(), Set.of(), Optional.empty());

    public Selection {
        migrations = Set.copyOf(new TreeSet<>(migrations));
        targets = Set.copyOf(new TreeSet<>(targets));
        requireNonNull(shard, "shard is null");
    }

    public boolean isAll() {
        return migrations.isEmpty() && targets.isEmpty() && shard.isEmpty();
    }
}
