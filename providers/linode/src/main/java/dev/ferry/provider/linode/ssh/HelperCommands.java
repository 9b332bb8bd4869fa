package dev.ferry.provider.linode.ssh;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only commands ferry runs on the helper, all standard on a stock Debian: {@code gunzip | dd} to write a
 * chunk of the disk at its offset and read it back through {@code sha256sum}, a digest of a range (to resume),
 * {@code cmp} of a range against {@code /dev/zero} (for what the source never wrote), the device's size, and
 * {@code sync}. Devices are named as the helper's config attaches them ({@code sdb}).
 */
public final class HelperCommands {

    private static final Pattern DEVICE = Pattern.compile("sd[a-h]");
    private static final Pattern DIGEST_LINE = Pattern.compile("([0-9a-f]{64})\\s+-\\s*");

    private HelperCommands() {
    }

    /** Writes the gzip on stdin at {@code offset}, flushed to the disk, then prints the SHA-256 of what it wrote. */
    public static String writeChunk(String device, long offset, long length) {
        return "gunzip -c | dd of=" + dev(device) + " bs=1M oflag=seek_bytes seek=" + offset
                + " conv=notrunc,fsync status=none && " + readDigest(device, offset, length);
    }

    /** Prints the SHA-256 of {@code [offset, offset + length)} of the device. */
    public static String readDigest(String device, long offset, long length) {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("a range needs offset >= 0 and length > 0, not " + offset + "+" + length);
        }
        return "dd if=" + dev(device) + " bs=1M iflag=skip_bytes,count_bytes skip=" + offset + " count=" + length
                + " status=none | sha256sum";
    }

    /**
     * Exits 0 when {@code [offset, offset + length)} of the device reads as zeros, 1 when it does not (or the device
     * ends before), 2 when it cannot be read: GNU {@code cmp} (diffutils, essential on Debian) seeks to the offset and
     * compares with {@code /dev/zero}, which costs the helper a read but no digest, and ferry nothing.
     */
    public static String zeros(String device, long offset, long length) {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("a range needs offset >= 0 and length > 0, not " + offset + "+" + length);
        }
        return "cmp -s -i " + offset + ":0 -n " + length + " " + dev(device) + " /dev/zero";
    }

    public static String size(String device) {
        return "blockdev --getsize64 " + dev(device);
    }

    public static String sync() {
        return "sync";
    }

    /** The digest from {@code sha256sum}'s output ({@code <hex>  -}). */
    public static String digest(String stdout) {
        Matcher m = DIGEST_LINE.matcher(stdout.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("sha256sum printed something else than a digest: "
                    + stdout.strip().lines().findFirst().orElse("nothing"));
        }
        return m.group(1);
    }

    private static String dev(String device) {
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("not a helper device name: " + device);
        }
        return "/dev/" + device;
    }
}
