package dev.ferry.cli.e2e;

import dev.ferry.sandbox.world.FirewallRule;
import dev.ferry.sandbox.world.SecurityGroupRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Firewall rules flattened to one line per (protocol, port range, address): the shape in which a
 * security group's rules and the Linode Cloud Firewall made from them can be compared, whatever way
 * the translation grouped ports and addresses into rules.
 */
final class FirewallRules {

    private FirewallRules() {
    }

    /** {@code TCP 22 203.0.113.0/24} for each address source of the ingress rules; group and prefix-list sources are not addresses. */
    static Set<String> ofSecurityGroupIngress(List<SecurityGroupRule> rules) {
        Set<String> lines = new TreeSet<>();
        for (SecurityGroupRule rule : rules) {
            if (rule.egress()) {
                continue;
            }
            String address = rule.cidrIpv4() != null ? rule.cidrIpv4() : rule.cidrIpv6();
            if (address == null) {
                continue;
            }
            String protocol = switch (rule.protocol()) {
                case "-1" -> "ALL";
                default -> rule.protocol().toUpperCase(Locale.ROOT);
            };
            String ports = protocol.equals("TCP") || protocol.equals("UDP")
                    ? rule.fromPort() == rule.toPort() ? Integer.toString(rule.fromPort()) : rule.fromPort() + "-" + rule.toPort()
                    : "";
            lines.add(line(protocol, ports, address));
        }
        return lines;
    }

    static Set<String> ofLinode(List<FirewallRule> rules) {
        Set<String> lines = new TreeSet<>();
        for (FirewallRule rule : rules) {
            List<String> addresses = new ArrayList<>();
            if (rule.ipv4() != null) {
                addresses.addAll(rule.ipv4());
            }
            if (rule.ipv6() != null) {
                addresses.addAll(rule.ipv6());
            }
            List<String> ports = rule.ports() == null || rule.ports().isBlank() ? List.of("")
                    : List.of(rule.ports().split("\\s*,\\s*"));
            for (String port : ports) {
                for (String address : addresses) {
                    lines.add(line(rule.protocol(), port, address));
                }
            }
        }
        return lines;
    }

    static String line(String protocol, String ports, String address) {
        return (protocol + " " + ports).trim() + " " + address;
    }
}
