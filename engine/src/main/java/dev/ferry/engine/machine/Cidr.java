package dev.ferry.engine.machine;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range in CIDR form ({@code 203.0.113.0/24}, {@code ::/0}); a bare address
 * is a range of one. Parsed without ever touching DNS.
 */
public record Cidr(InetAddress address, int prefixLength) {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    public static final Cidr ALL_IPV4 = parse("0.0.0.0/0").orElseThrow();
    public static final Cidr ALL_IPV6 = parse("::/0").orElseThrow();

    public Cidr {
        requireNonNull(address, "address is null");
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
    }

    /** The range {@code text} spells, or empty when it is not an IPv4/IPv6 address or CIDR range. */
    public static Optional<Cidr> parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
        boolean v6 = host.contains(":");
        int prefix;
        if (slash < 0) {
            prefix = v6 ? 128 : 32;
        } else {
            String digits = trimmed.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(digits);
        }
        try {
            InetAddress address;
            if (v6) {
                if (!IPV6_CHARS.matcher(host).matches()) {
                    return Optional.empty();
                }
                // A literal containing ':' is parsed as IPv6 without any name lookup.
                address = InetAddress.getByName(host);
                if (!(address instanceof Inet6Address)) {
                    // "::ffff:1.2.3.4" comes back as IPv4; keep it as written only when the prefix fits.
                    if (prefix > 32 && slash >= 0) {
                        return Optional.empty();
                    }
                    prefix = Math.min(prefix, 32);
                }
            } else {
                if (!IPV4.matcher(host).matches()) {
                    return Optional.empty();
                }
                address = InetAddress.getByName(host);
            }
            if (prefix > (address instanceof Inet4Address ? 32 : 128)) {
                return Optional.empty();
            }
            return Optional.of(new Cidr(address, prefix));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** Whether this is 0.0.0.0/0 or ::/0. */
    public boolean isEverything() {
        return prefixLength == 0;
    }

    /** Whether {@code other} (an address or range) lies inside this range. */
    public boolean contains(Cidr other) {
        if (other.isIpv6() != isIpv6() || other.prefixLength < prefixLength) {
            return false;
        }
        byte[] mine = address.getAddress();
        byte[] theirs = other.address.getAddress();
        int bits = prefixLength;
        for (int i = 0; i < mine.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((mine[i] & mask) != (theirs[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Canonical form: the network address and the prefix ({@code 10.0.1.0/24}, {@code 2001:db8::/32}). */
    @Override
    public String toString() {
        byte[] bytes = address.getAddress();
        int bits = prefixLength;
        for (int i = 0; i < bytes.length; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xFF : bits <= 0 ? 0 : (0xFF << (8 - bits)) & 0xFF;
            bytes[i] = (byte) (bytes[i] & mask);
        }
        try {
            InetAddress network = InetAddress.getByAddress(bytes);
            String host = network.getHostAddress();
            if (network instanceof Inet6Address) {
                host = compressIpv6(host);
            }
            return host + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Java prints 0:0:0:0:0:0:0:0; people (and Linode) write ::. */
    private static String compressIpv6(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength && j - i > 1) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            text.append(groups[i]).append(i + 1 < bestStart ? ":" : "");
        }
        text.append("::");
        for (int i = bestStart + bestLength; i < groups.length; i++) {
            text.append(groups[i]).append(i + 1 < groups.length ? ":" : "");
        }
        return text.toString();
    }
}
