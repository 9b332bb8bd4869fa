package dev.ferry.engine.transfer;

import java.util.Locale;

/** Byte counts in messages: readable, and exact for anyone comparing with a limit. */
final class Sizes {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    /** {@code 2.00 GiB (2147483648 bytes)}; small sizes as {@code 512 bytes}. */
    static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s (%d bytes)", value, UNITS[unit], bytes);
    }
}
