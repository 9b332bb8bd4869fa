package dev.ferry.engine.transfer;

import java.util.ArrayDeque;

/**
 * A fixed number of equal byte arrays, allocated on first use and then reused. Taking more than
 * the pool holds is a bug in the pipeline's flow control, not a reason to wait: it throws.
 */
final class BufferPool {

    private final String name;
    private final int capacity;
    private final int bufferSize;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private int allocated;
    private int inUse;
    private int peakInUse;

    BufferPool(String name, int capacity, int bufferSize) {
        this.name = name;
        this.capacity = capacity;
        this.bufferSize = bufferSize;
    }

    synchronized byte[] take() {
        byte[] buffer = free.pollFirst();
        if (buffer == null) {
            if (allocated == capacity) {
                throw new IllegalStateException("all " + capacity + " " + name + " buffers are in use");
            }
            buffer = new byte[bufferSize];
            allocated++;
        }
        inUse++;
        peakInUse = Math.max(peakInUse, inUse);
        return buffer;
    }

    synchronized void give(byte[] buffer) {
        if (buffer.length != bufferSize || inUse == 0) {
            throw new IllegalStateException("a buffer returned to the " + name + " pool that it did not lend");
        }
        inUse--;
        free.addFirst(buffer);
    }

    int capacity() {
        return capacity;
    }

    int bufferSize() {
        return bufferSize;
    }

    synchronized int allocated() {
        return allocated;
    }

    synchronized int inUse() {
        return inUse;
    }

    synchronized int peakInUse() {
        return peakInUse;
    }
}
