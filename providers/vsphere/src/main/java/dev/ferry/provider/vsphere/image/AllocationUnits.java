package dev.ferry.provider.vsphere.image;

import java.util.Locale;
import java.util.Map;

/**
 * OVF allocation units (DMTF DSP0004 programmatic units, such as {@code byte * 2^20}), and the
 * older names some tools still write ({@code MegaBytes}), turned into a number of bytes.
 */
final class AllocationUnits {

    private static final Map<String, Long> NAMED = Map.of(
            "byte", 1L, "bytes", 1L,
            "kilobytes", 1L << 10, "kb", 1L << 10,
            "megabytes", 1L << 20, "mb", 1L << 20,
            "gigabytes", 1L << 30, "gb", 1L << 30,
            "terabytes", 1L << 40, "tb", 1L << 40);

    private AllocationUnits() {
    }

    static long bytes(String units, String where) {
        String text = units.replace(" ", "").toLowerCase(Locale.ROOT);
        String[] factors = text.split("\\*");
        Long base = NAMED.get(factors[0]);
        if (base == null) {
            throw unknown(units, where);
        }
        long value = base;
        try {
            for (int i = 1; i < factors.length; i++) {
                String factor = factors[i];
                int caret = factor.indexOf('^');
                long multiplier;
                if (caret > 0) {
                    long radix = Long.parseLong(factor.substring(0, caret));
                    int exponent = Integer.parseInt(factor.substring(caret + 1));
                    if (radix < 1 || exponent < 0 || exponent > 62) {
                        throw unknown(units, where);
                    }
                    multiplier = 1;
                    for (int e = 0; e < exponent; e++) {
                        multiplier = Math.multiplyExact(multiplier, radix);
                    }
                } else {
                    multiplier = Long.parseLong(factor);
                }
                if (multiplier < 1) {
                    throw unknown(units, where);
                }
                value = Math.multiplyExact(value, multiplier);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw unknown(units, where);
        }
        return value;
    }

    private static ImageException unknown(String units, String where) {
        return new ImageException(where + " is in units '" + units + "', which ferry does not understand (expected a form such as 'byte * 2^20')");
    }
}
