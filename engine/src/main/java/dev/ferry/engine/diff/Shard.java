package dev.ferry.engine.diff;

import dev.ferry.engine.FerryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of {@code count} slices of a file's migrations ({@code --shard INDEX/COUNT}, INDEX from 0 as a Kubernetes
 * Indexed Job's {@code JOB_COMPLETION_INDEX}). A migration belongs to the shard {@link #of} its name: the first
 * 8 bytes of the SHA-256 of the name (UTF-8), read as an unsigned big-endian number, modulo {@code count}. The
 * hash depends on the name alone, so adding or removing a migration never moves another one to another shard.
 */
public record Shard(int index, int count) {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})/(\\d{1,9})");

    public Shard {
        if (count < 1) {
            throw new FerryException("--shard " + index + "/" + count + ": the number of shards must be at least 1");
        }
        if (index < 0 || index >= count) {
            throw new FerryException("--shard " + index + "/" + count + ": the shard index counts from 0, so it must be 0 to "
                    + (count - 1) + " (as JOB_COMPLETION_INDEX in a Kubernetes Indexed Job of " + count + " completions)");
        }
    }

    /** {@code I/N}, as the command line gives it. */
    public static Shard parse(String text) {
        Matcher matcher = TEXT.matcher(text.strip());
        if (!matcher.matches()) {
            throw new FerryException("--shard '" + text + "' is not INDEX/COUNT; write e.g. --shard 0/4 (the first of four shards,"
                    + " counting from 0)");
        }
        return new Shard(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
    }

    /** The shard, among {@code count}, that the migration {@code name} belongs to. */
    public static int of(String name, int count) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return (int) Long.remainderUnsigned(ByteBuffer.wrap(digest, 0, Long.BYTES).getLong(), count);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(String migration) {
        return of(migration, count) == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
