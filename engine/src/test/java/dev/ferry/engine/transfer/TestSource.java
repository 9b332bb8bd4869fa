package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory {@link RangedByteSource} whose streams can be cut on purpose, and which records what was asked. */
final class TestSource implements RangedByteSource {

    /** What happens to one opened range. */
    sealed interface Fault {
        /** The stream ends (read returns -1) after {@code afterBytes}. */
        record EndEarly(long afterBytes) implements Fault {
        }

        /** The stream throws after {@code afterBytes}. */
        record Throw(long afterBytes) implements Fault {
        }

        /** openRange itself throws. */
        record RefuseOpen() implements Fault {
        }
    }

    /** Decides the fault of the {@code open}-th opened range (1-based), or null for none. */
    interface Faults {
        Fault of(int open, long offset, long length);
    }

    private final byte[] data;
    private final String description;
    private volatile Faults faults = (open, offset, length) -> null;
    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger faultsInjected = new AtomicInteger();
    final AtomicLong bytesServed = new AtomicLong();
    final List<String> badRequests = new CopyOnWriteArrayList<>();

    TestSource(byte[] data) {
        this(data, "memory://test-image");
    }

    TestSource(byte[] data, String description) {
        this.data = data;
        this.description = description;
    }

    TestSource withFaults(Faults faults) {
        this.faults = faults;
        return this;
    }

    /**
     * Cuts about {@code probability} of the opened ranges at a random byte (ending early or
     * throwing, half and half), at most {@code maxCuts} times in all.
     */
    static Faults randomCuts(long seed, double probability, int maxCuts) {
        Random random = new Random(seed);
        AtomicInteger cuts = new AtomicInteger();
        return (open, offset, length) -> {
            synchronized (random) {
                if (cuts.get() >= maxCuts || random.nextDouble() >= probability) {
                    return null;
                }
                cuts.incrementAndGet();
                long after = length <= 1 ? 0 : (long) (random.nextDouble() * length);
                return random.nextBoolean() ? new Fault.EndEarly(after) : new Fault.Throw(after);
            }
        };
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        int open = opens.incrementAndGet();
        if (offset < 0 || length <= 0 || offset + length > data.length) {
            badRequests.add("range " + offset + "+" + length + " of " + data.length);
            throw new IOException("bad range " + offset + "+" + length);
        }
        Fault fault = faults.of(open, offset, length);
        if (fault != null) {
            faultsInjected.incrementAndGet();
        }
        if (fault instanceof Fault.RefuseOpen) {
            throw new IOException("connection refused (injected)");
        }
        return new Slice((int) offset, (int) length, fault);
    }

    @Override
    public String description() {
        return description;
    }

    private final class Slice extends InputStream {
        private final int end;
        private final Fault fault;
        private final long faultAt;
        private int position;
        private long delivered;

        Slice(int offset, int length, Fault fault) {
            this.position = offset;
            this.end = offset + length;
            this.fault = fault;
            this.faultAt = fault instanceof Fault.EndEarly e ? e.afterBytes()
                    : fault instanceof Fault.Throw t ? t.afterBytes() : Long.MAX_VALUE;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (delivered >= faultAt) {
                if (fault instanceof Fault.Throw) {
                    throw new IOException("connection reset (injected)");
                }
                return -1;
            }
            if (position >= end) {
                return -1;
            }
            int n = (int) Math.min(Math.min(length, end - position), faultAt - delivered);
            System.arraycopy(data, position, buffer, offset, n);
            position += n;
            delivered += n;
            bytesServed.addAndGet(n);
            return n;
        }
    }
}
