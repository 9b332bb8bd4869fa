package dev.ferry.cli.fleet;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.diff.Shard;
import dev.ferry.engine.state.RemoteStateLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a fleet manifest says, whatever runs it: the migration file (its path as given, its text, its
 * {@code metadata.name}), how many shards and how many at once, the remote state the shards keep their state
 * beside, the version of ferry, and the secrets the file's providers and references read: environment variables
 * by name, files by the path the file gives them.
 */
public record Fleet(
        String name,
        String file,
        String content,
        int shards,
        Optional<Integer> parallelism,
        RemoteStateLocation state,
        String version,
        List<String> variables,
        List<String> optionalVariables,
        List<SecretFile> files,
        SortedMap<Integer, List<String>> assignments) {

    /** A {@code ${file:PATH}} reference: the path, relative to the migration file, and a name safe as a secret key. */
    public record SecretFile(String path) {
        public SecretFile {
            requireNonNull(path, "path is null");
        }

        /** A Kubernetes Secret key ({@code [-._a-zA-Z0-9]+}): the path with every other character as '-'. */
        public String key() {
            return "file-" + path.replaceAll("[^-._a-zA-Z0-9]", "-");
        }

        /** A GitHub Actions secret name ({@code [A-Z0-9_]}, not starting with GITHUB_). */
        public String variable() {
            return "FERRY_FILE_" + path.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        }
    }

    public Fleet {
        requireNonNull(name, "name is null");
        requireNonNull(file, "file is null");
        requireNonNull(content, "content is null");
        if (shards < 1) {
            throw new FerryException("--shards must be at least 1 (the number of processes the migrations are split over), not " + shards);
        }
        requireNonNull(parallelism, "parallelism is null");
        parallelism.ifPresent(value -> {
            if (value < 1) {
                throw new FerryException("--parallelism must be at least 1 (how many shards run at once), not " + value);
            }
        });
        requireNonNull(state, "state is null");
        requireNonNull(version, "version is null");
        variables = List.copyOf(variables);
        optionalVariables = List.copyOf(optionalVariables);
        files = List.copyOf(files);
        assignments = new TreeMap<>(assignments);
    }

    /** Which migrations each shard applies, by the same hash {@code ferry apply --shard} uses. */
    public static SortedMap<Integer, List<String>> assign(List<String> migrations, int shards) {
        SortedMap<Integer, List<String>> assignments = new TreeMap<>();
        for (int index = 0; index < shards; index++) {
            assignments.put(index, new ArrayList<>());
        }
        for (String migration : migrations) {
            assignments.get(Shard.of(migration, shards)).add(migration);
        }
        return assignments;
    }

    /** How many shards run at once: {@code --parallelism}, else all of them. */
    public int running() {
        return parallelism.map(value -> Math.min(value, shards)).orElse(shards);
    }

    /** The arguments of one shard's {@code ferry apply}, {@code index} as the runner spells it. */
    public List<String> applyArguments(String path, String index) {
        List<String> arguments = new ArrayList<>(List.of("apply", "-f", path));
        arguments.addAll(List.of("--state", shardState(index)));
        arguments.addAll(List.of("--shard", index + "/" + shards, "--auto-approve"));
        return List.copyOf(arguments);
    }

    /**
     * Where shard {@code index} keeps its state: the file's one state, as is. Each shard takes only its shard's lock
     * ({@code KEY.lock.d/shard-I-of-N}) and writes only its migrations' objects, so the shards run at once on one state,
     * and an unsharded {@code ferry plan} sees them all. Shared resources (the staging bucket, its policy, the vmimport
     * role) are made by whichever shard gets there first and adopted by the others. Keep N for the life of a fleet:
     * shards of another N are refused while these run.
     */
    public String shardState(String index) {
        return state.uri();
    }

    /** The shards that get no migration (the hash spreads names, it does not balance them). */
    public List<Integer> emptyShards() {
        return assignments.entrySet().stream().filter(entry -> entry.getValue().isEmpty()).map(java.util.Map.Entry::getKey).toList();
    }
}
