package dev.ferry.provider.linode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ports} string of a Linode Cloud Firewall rule: {@code "22-24, 80, 443"}. Ports are
 * 1–65535, a range is written low-high, and a rule holds at most 15 pieces, a range counting two.
 */
public record FirewallPorts(List<Range> ranges) {

    public static final int MAX_PIECES = 15;

    public record Range(int from, int to) {
        public Range {
            if (from < 1 || to > 65535 || from > to) {
                throw new IllegalArgumentException("bad port range " + from + "-" + to);
            }
        }

        int pieces() {
            return from == to ? 1 : 2;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    public FirewallPorts {
        ranges = List.copyOf(ranges);
    }

    /** Parses {@code text}; the error says what is wrong in words a user can act on. */
    public static Parsed parse(String text) {
        List<Range> ranges = new ArrayList<>();
        for (String piece : text.split(",", -1)) {
            String trimmed = piece.strip();
            if (trimmed.isEmpty()) {
                return Parsed.error("an empty piece between commas");
            }
            String[] ends = trimmed.split("-", -1);
            if (ends.length > 2) {
                return Parsed.error("'" + trimmed + "' is not a port or a range");
            }
            try {
                int from = Integer.parseInt(ends[0].strip());
                int to = ends.length == 2 ? Integer.parseInt(ends[1].strip()) : from;
                if (from < 1 || to > 65535 || from > 65535 || to < 1) {
                    return Parsed.error("port " + (from < 1 || from > 65535 ? from : to) + " is outside 1–65535");
                }
                if (from > to) {
                    return Parsed.error("range " + trimmed + " runs backwards; write " + to + "-" + from);
                }
                ranges.add(new Range(from, to));
            } catch (NumberFormatException e) {
                return Parsed.error("'" + trimmed + "' is not a port or a range");
            }
        }
        FirewallPorts ports = new FirewallPorts(ranges);
        if (ports.pieces() > MAX_PIECES) {
            return Parsed.error("it has " + ports.pieces() + " pieces; Linode allows at most " + MAX_PIECES
                    + " per rule (a range counts two): split it over several rules");
        }
        return new Parsed(Optional.of(ports), Optional.empty());
    }

    public int pieces() {
        return ranges.stream().mapToInt(Range::pieces).sum();
    }

    @Override
    public String toString() {
        return String.join(", ", ranges.stream().map(Range::toString).toList());
    }

    /** The outcome of {@link #parse}: ports, or the reason there are none. */
    public record Parsed(Optional<FirewallPorts> ports, Optional<String> error) {
        static Parsed error(String reason) {
            return new Parsed(Optional.empty(), Optional.of(reason));
        }
    }
}
