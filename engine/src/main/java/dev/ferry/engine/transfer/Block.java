package dev.ferry.engine.transfer;

/** One block's way through an upload attempt's pipeline; fields guarded by the attempt's lock except where noted. */
final class Block {
    final int index;
    final int length;
    final boolean last;
    byte[] raw;
    boolean read;
    BlockCompressor.Compressed compressed;
    int references = 2; // the raw and the compressed buffer

    Block(int index, int length, boolean last) {
        this.index = index;
        this.length = length;
        this.last = last;
    }
}
