package dev.ferry.provider.aws.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The units EC2 counts in, shared by the reads of the source and the target: volume sizes are whole GiB,
 * and a describe call takes a bounded number of filter values, so long id lists go in chunks.
 */
public final class Ec2Units {

    public static final long GIB = 1024L * 1024 * 1024;

    private Ec2Units() {
    }

    public static <T> List<List<T>> chunks(Collection<T> values, int size) {
        List<List<T>> chunks = new ArrayList<>();
        List<T> current = new ArrayList<>();
        for (T value : values) {
            current.add(value);
            if (current.size() == size) {
                chunks.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }
}
