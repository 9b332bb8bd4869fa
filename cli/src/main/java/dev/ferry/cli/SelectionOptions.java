package dev.ferry.cli;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.diff.Selection;
import dev.ferry.engine.diff.Shard;
import dev.ferry.engine.state.LockScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * {@code --migration NAME}, {@code --target ADDRESS} and {@code --shard I/N}: plan, apply or destroy part of the
 * file, as Terraform's {@code -target} does. A shard picks its migrations itself, so it goes with neither of the others.
 */
final class SelectionOptions {

    @Option(names = "--migration", paramLabel = "NAME",
            description = "Only this migration (repeatable), with the shared resources it needs.")
    List<String> migrations = new ArrayList<>();

    @Option(names = "--target", paramLabel = "ADDRESS",
            description = "Only this resource (repeatable, such as aws_ami.web-01), with what it depends on;"
                    + " when destroying, with what depends on it.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Only the migrations of shard I of N (I from 0, as JOB_COMPLETION_INDEX): those whose name's SHA-256,"
                    + " first 8 bytes mod N, is I. For many processes at once (a Kubernetes Indexed Job, a CI matrix).")
    String shard;

    Selection selection() {
        Optional<Shard> parsed = Optional.ofNullable(shard).map(Shard::parse);
        if (parsed.isPresent() && !(migrations.isEmpty() && targets.isEmpty())) {
            throw new FerryException("--shard picks its migrations by the hash of their names, so it cannot be combined with "
                    + (migrations.isEmpty() ? "--target" : "--migration") + "; use --shard alone, or --migration and --target without it");
        }
        return new Selection(new TreeSet<>(migrations), new TreeSet<>(targets), parsed);
    }

    /**
     * What a run with these flags locks: one shard with {@code --shard} alone (shards of one state run at once, each
     * writing only its migrations' objects), else the whole state ({@code --migration} and {@code --target} may reach
     * migrations of any shard).
     */
    LockScope lockScope() {
        return selection().shard().map(parsed -> LockScope.shard(parsed.index(), parsed.count())).orElse(LockScope.WHOLE);
    }

    /** Whether any of the three was given. */
    boolean given() {
        return shard != null || !migrations.isEmpty() || !targets.isEmpty();
    }

    /** The flags given, as written, for messages. */
    String flags() {
        List<String> given = new ArrayList<>();
        migrations.forEach(name -> given.add("--migration " + name));
        targets.forEach(address -> given.add("--target " + address));
        Optional.ofNullable(shard).ifPresent(value -> given.add("--shard " + value));
        return String.join(" ", given);
    }
}
