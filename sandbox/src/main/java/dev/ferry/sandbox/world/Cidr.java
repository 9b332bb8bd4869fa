package dev.ferry.sandbox.world;

/** An IPv4 CIDR block. */
public record Cidr(long network, int prefix) {

    public Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32");
        }
    }

    /** Parses {@code 10.0.1.0/24}; throws IllegalArgumentException when it is not an IPv4 CIDR. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block");
        }
        long address = parseAddress(text.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block");
        }
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        return new Cidr(address & mask, prefix);
    }

    /** Parses a dotted IPv4 address into its 32-bit value. */
    public static long parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        long value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String format(long address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }

    public long firstAddress() {
        return network;
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean contains(String address) {
        long value = parseAddress(address);
        return value >= network && value < network + size();
    }
}
