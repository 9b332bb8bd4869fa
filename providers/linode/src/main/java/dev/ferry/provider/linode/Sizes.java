package dev.ferry.provider.linode;

import java.util.Locale;

/** Byte counts as people read them: {@code 8 GiB}, {@code 1.5 GiB}, {@code 300 MiB}. */
final class Sizes {

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final long GIB = 1024 * MIB;

    private Sizes() {
    }

    static String bytes(long bytes) {
        if (bytes >= GIB) {
            return scaled(bytes, GIB, "GiB");
        }
        if (bytes >= MIB) {
            return scaled(bytes, MIB, "MiB");
        }
        if (bytes >= KIB) {
            return scaled(bytes, KIB, "KiB");
        }
        return bytes + " bytes";
    }

    static String mebibytes(long mib) {
        return bytes(mib * MIB);
    }

    private static String scaled(long bytes, long unit, String name) {
        if (bytes % unit == 0) {
            return bytes / unit + " " + name;
        }
        return String.format(Locale.ROOT, "%.1f %s", bytes / (double) unit, name);
    }

    /** Whole MiB needed to hold {@code bytes}. */
    static long ceilMebibytes(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }

    static String dollars(double amount) {
        return String.format(Locale.ROOT, "$%.2f", amount);
    }
}
