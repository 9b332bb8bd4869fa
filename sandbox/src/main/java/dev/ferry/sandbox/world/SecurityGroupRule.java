package dev.ferry.sandbox.world;

import static java.util.Objects.requireNonNull;

/**
 * One security group rule, as DescribeSecurityGroupRules reports it: exactly one of the source
 * (or destination) fields is set.
 *
 * @param protocol          {@code tcp}, {@code udp}, {@code icmp}, {@code icmpv6} or {@code -1} (all)
 * @param fromPort          first port, or the ICMP type; -1 for all
 * @param toPort            last port, or the ICMP code; -1 for all
 * @param referencedGroupId another security group as the source
 */
public record SecurityGroupRule(
        String ruleId,
        boolean egress,
        String protocol,
        int fromPort,
        int toPort,
        String cidrIpv4,
        String cidrIpv6,
        String referencedGroupId,
        String prefixListId,
        String description) {

    public SecurityGroupRule {
        requireNonNull(ruleId, "ruleId is null");
        requireNonNull(protocol, "protocol is null");
        int sources = (cidrIpv4 == null ? 0 : 1) + (cidrIpv6 == null ? 0 : 1)
                + (referencedGroupId == null ? 0 : 1) + (prefixListId == null ? 0 : 1);
        if (sources != 1) {
            throw new IllegalArgumentException("security group rule " + ruleId
                    + " needs exactly one of cidr_ipv4, cidr_ipv6, group, prefix_list");
        }
    }
}
