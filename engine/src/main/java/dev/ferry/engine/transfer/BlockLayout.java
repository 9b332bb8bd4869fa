package dev.ferry.engine.transfer;

/**
 * How an upload attempt cuts its source: into blocks of {@code blockSize} bytes (the last may be
 * shorter), compressed one by one, and into ranges of {@code blocksPerRange} blocks, read one by
 * one over a connection each.
 */
record BlockLayout(long size, int blockSize, int blockCount, int blocksPerRange, int rangeCount) {

    static BlockLayout of(long size, TransferOptions options) {
        int blockSize = options.blockSize();
        long blocks = Math.max(1, (size + blockSize - 1) / blockSize);
        if (blocks > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("the source is too large for blocks of " + blockSize + " bytes");
        }
        int blockCount = (int) blocks;
        int blocksPerRange = (int) (options.rangeSize() / blockSize);
        int rangeCount = (blockCount + blocksPerRange - 1) / blocksPerRange;
        return new BlockLayout(size, blockSize, blockCount, blocksPerRange, rangeCount);
    }

    /** The length of block {@code index}: {@code blockSize}, or what is left for the last. */
    int blockLength(int index) {
        return (int) Math.min(blockSize, size - (long) index * blockSize);
    }
}
