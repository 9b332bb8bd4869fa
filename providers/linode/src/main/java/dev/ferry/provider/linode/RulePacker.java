package dev.ferry.provider.linode;

import dev.ferry.engine.machine.Cidr;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Packs translated rules into as few Linode rules as Linode's limits allow: rules with the same
 * protocol and ports share one rule with their addresses merged, then rules with the same protocol
 * and addresses share one rule with their ports merged; what does not fit in one rule
 * ({@value FirewallRule#MAX_ADDRESSES} addresses, {@value FirewallPorts#MAX_PIECES} port pieces) is split.
 */
final class RulePacker {

    private RulePacker() {
    }

    /** Ports of a TCP or UDP rule in canonical form (sorted, overlaps and neighbours joined); {@code all} for any port. */
    record Ports(boolean all, List<FirewallPorts.Range> ranges) {
        static final Ports ALL = new Ports(true, List.of());

        static Ports of(List<FirewallPorts.Range> ranges) {
            List<FirewallPorts.Range> sorted = new ArrayList<>(ranges);
            sorted.sort(Comparator.comparingInt(FirewallPorts.Range::from).thenComparingInt(FirewallPorts.Range::to));
            List<FirewallPorts.Range> merged = new ArrayList<>();
            for (FirewallPorts.Range range : sorted) {
                if (!merged.isEmpty() && range.from() <= merged.get(merged.size() - 1).to() + 1) {
                    FirewallPorts.Range last = merged.remove(merged.size() - 1);
                    merged.add(new FirewallPorts.Range(last.from(), Math.max(last.to(), range.to())));
                } else {
                    merged.add(range);
                }
            }
            if (merged.size() == 1 && merged.get(0).from() == 1 && merged.get(0).to() == 65535) {
                return ALL;
            }
            return new Ports(false, merged);
        }

        Ports union(Ports other) {
            if (all || other.all) {
                return ALL;
            }
            List<FirewallPorts.Range> both = new ArrayList<>(ranges);
            both.addAll(other.ranges);
            return of(both);
        }

        String key() {
            return all ? "*" : new FirewallPorts(ranges).toString();
        }

        /** Pieces of at most {@link FirewallPorts#MAX_PIECES}, a range counting two. */
        List<FirewallPorts> chunks() {
            List<FirewallPorts> chunks = new ArrayList<>();
            List<FirewallPorts.Range> current = new ArrayList<>();
            int pieces = 0;
            for (FirewallPorts.Range range : ranges) {
                int size = range.from() == range.to() ? 1 : 2;
                if (pieces + size > FirewallPorts.MAX_PIECES) {
                    chunks.add(new FirewallPorts(current));
                    current = new ArrayList<>();
                    pieces = 0;
                }
                current.add(range);
                pieces += size;
            }
            if (!current.isEmpty()) {
                chunks.add(new FirewallPorts(current));
            }
            return chunks;
        }
    }

    /** A translated rule on its way to merging: where it came from, what it allows, to which addresses. */
    static final class Group {
        final FirewallDirection direction;
        final String protocol;
        Ports ports;
        final Map<String, Cidr> addresses = new LinkedHashMap<>();
        final List<String> descriptions = new ArrayList<>();
        final List<String> origins = new ArrayList<>();

        Group(FirewallDirection direction, String protocol, Ports ports) {
            this.direction = direction;
            this.protocol = protocol;
            this.ports = ports;
        }

        void absorb(Group other) {
            other.addresses.forEach(addresses::putIfAbsent);
            addAll(descriptions, other.descriptions);
            addAll(origins, other.origins);
        }

        private static void addAll(List<String> into, List<String> from) {
            for (String value : from) {
                if (!into.contains(value)) {
                    into.add(value);
                }
            }
        }

        /** Drops addresses another address of the group already covers (10.1.0.0/16 under 10.0.0.0/8). */
        void dropCovered() {
            List<Map.Entry<String, Cidr>> all = new ArrayList<>(addresses.entrySet());
            for (Map.Entry<String, Cidr> entry : all) {
                boolean covered = all.stream().anyMatch(other -> !other.getKey().equals(entry.getKey())
                        && other.getValue().contains(entry.getValue())
                        && (other.getValue().prefixLength() < entry.getValue().prefixLength()));
                if (covered) {
                    addresses.remove(entry.getKey());
                }
            }
        }

        String addressKey() {
            return addresses.keySet().stream().sorted().collect(Collectors.joining(","));
        }
    }

    /**
     * Same protocol and ports: one group with the addresses of all; then same protocol and addresses: one group
     * with the ports of all; then split to Linode's limits.
     */
    static List<UnlabelledRule> merge(List<Group> groups) {
        Map<String, Group> byPorts = new LinkedHashMap<>();
        for (Group group : groups) {
            String key = group.direction + "|" + group.protocol + "|" + group.ports.key();
            Group existing = byPorts.get(key);
            if (existing == null) {
                byPorts.put(key, group);
            } else {
                existing.absorb(group);
            }
        }
        Map<String, Group> byAddresses = new LinkedHashMap<>();
        for (Group group : byPorts.values()) {
            group.dropCovered();
            String key = group.direction + "|" + group.protocol + "|" + group.addressKey();
            Group existing = byAddresses.get(key);
            if (existing == null) {
                byAddresses.put(key, group);
            } else {
                existing.ports = existing.ports.union(group.ports);
                existing.absorb(group);
            }
        }
        List<UnlabelledRule> rules = new ArrayList<>();
        for (Group group : byAddresses.values()) {
            boolean portsAllowed = group.protocol.equals("TCP") || group.protocol.equals("UDP");
            List<Optional<String>> portChunks = new ArrayList<>();
            if (!portsAllowed || group.ports.all()) {
                portChunks.add(Optional.empty());
            } else {
                group.ports.chunks().forEach(chunk -> portChunks.add(Optional.of(chunk.toString())));
            }
            List<Cidr> ordered = new ArrayList<>(group.addresses.values());
            ordered.sort(Comparator.comparing(Cidr::isIpv6));
            List<List<Cidr>> addressChunks = new ArrayList<>();
            for (int i = 0; i < ordered.size(); i += FirewallRule.MAX_ADDRESSES) {
                addressChunks.add(ordered.subList(i, Math.min(ordered.size(), i + FirewallRule.MAX_ADDRESSES)));
            }
            Optional<String> description = description(group);
            String base = labelBase(group);
            for (Optional<String> ports : portChunks) {
                for (List<Cidr> chunk : addressChunks) {
                    rules.add(new UnlabelledRule(group.direction, Optional.empty(), base, description, "ACCEPT",
                            group.protocol, ports, strings(chunk, false), strings(chunk, true)));
                }
            }
        }
        return rules;
    }

    private static List<String> strings(List<Cidr> addresses, boolean ipv6) {
        return addresses.stream().filter(a -> a.isIpv6() == ipv6).map(Cidr::toString).toList();
    }

    private static Optional<String> description(Group group) {
        String text = group.descriptions.isEmpty()
                ? "ferry: from " + String.join(", ", group.origins)
                : String.join("; ", group.descriptions);
        return Optional.of(FirewallRule.shorten(text));
    }

    /** From the description when the rule has exactly one, else from what it allows: {@code in-tcp-80_443}. */
    private static String labelBase(Group group) {
        if (group.descriptions.size() == 1) {
            return group.descriptions.get(0);
        }
        String ports = group.ports.all() || !(group.protocol.equals("TCP") || group.protocol.equals("UDP"))
                ? (group.protocol.equals("TCP") || group.protocol.equals("UDP") ? "-all" : "")
                : "-" + group.ports.ranges().stream()
                .map(r -> r.from() == r.to() ? Integer.toString(r.from()) : r.from() + "to" + r.to())
                .collect(Collectors.joining("_"));
        return group.direction.prefix + "-" + group.protocol.toLowerCase(Locale.ROOT) + ports;
    }
}
