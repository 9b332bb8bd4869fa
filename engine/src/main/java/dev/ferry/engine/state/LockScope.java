package dev.ferry.engine.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run locks: the whole state (a run over the whole file, or over {@code --migration}/{@code --target}, whose
 * migrations may lie in any shard), or one shard of it ({@code --shard I/N}), so that the shards of one state apply at
 * once. The locks exclude each other by create-then-check: each run creates its own lock atomically, then looks at
 * the others and, on a conflict, releases its own and refuses. Whichever of two conflicting runs looks last sees the
 * other, so they never both go on (both may refuse, and are run again).
 * <ul>
 *   <li>the whole-state lock conflicts with any shard lock;</li>
 *   <li>a shard lock conflicts with the whole-state lock and with a shard lock of another count N (a migration's shard
 *       depends on N, so shards of two counts could apply one migration twice);</li>
 *   <li>the same shard twice: the second create fails, as for the whole lock.</li>
 * </ul>
 */
public record LockScope(int index, int count) {

    /** The whole state. */
    public static final LockScope WHOLE = new LockScope(-1, 0);

    private static final Pattern SHARD_NAME = Pattern.compile("shard-(\\d{1,9})-of-(\\d{1,9})");

    public static LockScope shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("no shard " + index + "/" + count);
        }
        return new LockScope(index, count);
    }

    public boolean whole() {
        return count == 0;
    }

    /** The shard lock's name ({@code shard-I-of-N}); the whole lock has none. */
    public String name() {
        if (whole()) {
            throw new IllegalStateException("the whole-state lock has no shard name");
        }
        return "shard-" + index + "-of-" + count;
    }

    /** The shard a lock name ({@code shard-I-of-N}, any suffix removed by the caller) stands for, if it is one. */
    public static Optional<LockScope> ofName(String name) {
        Matcher matcher = SHARD_NAME.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        int index = Integer.parseInt(matcher.group(1));
        int count = Integer.parseInt(matcher.group(2));
        return index < count && count > 0 ? Optional.of(new LockScope(index, count)) : Optional.empty();
    }

    /** For messages: "the whole state", "shard 1/4". */
    public String describe() {
        return whole() ? "the whole state" : "shard " + index + "/" + count;
    }

    /**
     * The refusal, once this run holds its own lock and has read the others' ({@code whole} the whole-state lock,
     * {@code shards} the live shard locks by scope, its own among them or not): empty when it may go on.
     */
    public Optional<String> conflict(Optional<StateLock.Info> whole, Map<LockScope, StateLock.Info> shards) {
        if (whole()) {
            List<String> holders = new ArrayList<>();
            shards.forEach((scope, info) -> holders.add(scope.describe() + " by " + describe(info)));
            if (holders.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of("the state is locked by " + (holders.size() == 1 ? "a shard run: " : holders.size() + " shard runs: ")
                    + String.join("; ", holders) + ". A run over the whole state waits until no shard runs." + unlock(shards));
        }
        if (whole.isPresent()) {
            return Optional.of(StateLock.heldMessage(whole.get()));
        }
        Map<LockScope, StateLock.Info> others = new java.util.LinkedHashMap<>();
        shards.forEach((scope, info) -> {
            if (scope.count != count) {
                others.put(scope, info);
            }
        });
        if (others.isEmpty()) {
            return Optional.empty();
        }
        List<String> holders = new ArrayList<>();
        others.forEach((scope, info) -> holders.add(scope.describe() + " by " + describe(info)));
        return Optional.of("the state is locked by shards of another count: " + String.join("; ", holders) + ". A migration's shard"
                + " depends on the number of shards, so " + describe() + " cannot run beside them; keep one N for the whole fleet."
                + unlock(others));
    }

    /** How to remove the locks of {@code holders} whose processes are gone. */
    private static String unlock(Map<LockScope, StateLock.Info> holders) {
        return holders.size() == 1 ? " If that process is gone, run: ferry force-unlock " + holders.values().iterator().next().id()
                : " If one of those processes is gone, run ferry force-unlock with its lock id";
    }

    private static String describe(StateLock.Info info) {
        return info.holder() + " (pid " + info.pid() + ", 'ferry " + info.operation() + "' since " + info.created() + ", lock id "
                + info.id() + ")";
    }
}
