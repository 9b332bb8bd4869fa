package dev.ferry.provider.aws.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.FirewallIntent.Direction;
import dev.ferry.engine.machine.FirewallIntent.Icmp;
import dev.ferry.engine.machine.FirewallIntent.PortRange;
import dev.ferry.engine.machine.FirewallIntent.Protocol;
import dev.ferry.engine.machine.FirewallIntent.Rule;
import dev.ferry.engine.machine.FirewallIntent.Untranslatable;
import dev.ferry.provider.aws.source.SecurityGroupTranslation.Groups;
import dev.ferry.provider.aws.source.SecurityGroupTranslation.SgRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecurityGroupTranslationTest {

    static final String WEB = "sg-0a1b2c3d4e5f60789";
    static final String LB = "sg-0fedcba9876543210";
    static final Groups GROUPS = new Groups(Map.of(WEB, "web", LB, "lb"), Map.of(WEB, "10.0.0.0/16", LB, "10.0.0.0/16"));

    static SgRule inbound(String id, String protocol, Integer from, Integer to, String cidr) {
        return new SgRule(WEB, id, false, protocol, from, to, Optional.ofNullable(cidr).filter(c -> !c.contains(":")),
                Optional.ofNullable(cidr).filter(c -> c.contains(":")), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static SgRule outbound(String id, String protocol, Integer from, Integer to, String cidr) {
        return new SgRule(WEB, id, true, protocol, from, to, Optional.ofNullable(cidr).filter(c -> !c.contains(":")),
                Optional.ofNullable(cidr).filter(c -> c.contains(":")), Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void protocolMinusOneMeansEveryProtocolOnEveryPort() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(inbound("sgr-1", "-1", -1, -1, "10.0.0.0/8")), GROUPS);

        Rule rule = intent.rules().get(0);
        assertThat(rule.protocol()).isEqualTo(Protocol.ALL);
        assertThat(rule.ports()).isEmpty();
        assertThat(rule.addresses()).containsExactly("10.0.0.0/8");
        assertThat(rule.direction()).isEqualTo(Direction.INBOUND);
    }

    @Test
    void keepsPortRangesAndSinglePorts() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(
                inbound("sgr-1", "tcp", 22, 22, "203.0.113.0/24"),
                inbound("sgr-2", "udp", 6379, 6380, "10.0.0.0/16")), GROUPS);

        assertThat(intent.rules()).extracting(Rule::protocol, Rule::ports).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Protocol.TCP, Optional.of(new PortRange(22, 22))),
                org.assertj.core.groups.Tuple.tuple(Protocol.UDP, Optional.of(new PortRange(6379, 6380))));
    }

    @Test
    void readsIcmpTypeAndCodeFromThePortFields() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(
                inbound("sgr-1", "icmp", 8, -1, "0.0.0.0/0"),
                inbound("sgr-2", "icmpv6", -1, -1, "::/0")), GROUPS);

        assertThat(intent.rules().get(0).icmp()).contains(new Icmp(8, -1));
        assertThat(intent.rules().get(0).ports()).isEmpty();
        assertThat(intent.rules().get(1).protocol()).isEqualTo(Protocol.ICMPV6);
        assertThat(intent.rules().get(1).icmp()).as("any type, any code").isEmpty();
    }

    @Test
    void mergesTheIpv4AndIpv6RangesOfOneRuleAndKeepsItsDescription() {
        SgRule v4 = new SgRule(WEB, "sgr-1", false, "tcp", 443, 443, Optional.of("0.0.0.0/0"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("HTTPS"));
        SgRule v6 = new SgRule(WEB, "sgr-2", false, "tcp", 443, 443, Optional.empty(), Optional.of("::/0"), Optional.empty(),
                Optional.empty(), Optional.of("HTTPS"));

        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(v4, v6), GROUPS);

        assertThat(intent.rules()).hasSize(1);
        assertThat(intent.rules().get(0).addresses()).containsExactly("0.0.0.0/0", "::/0");
        assertThat(intent.rules().get(0).description()).contains("HTTPS");
        assertThat(intent.rules().get(0).origin()).isEqualTo(WEB + " (web) inbound sgr-1, sgr-2");
    }

    @Test
    void doesNotMergeRulesWithDifferentDescriptions() {
        SgRule office = new SgRule(WEB, "sgr-1", false, "tcp", 22, 22, Optional.of("203.0.113.0/24"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("office"));
        SgRule vpn = new SgRule(WEB, "sgr-2", false, "tcp", 22, 22, Optional.of("198.51.100.0/24"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("vpn"));

        assertThat(SecurityGroupTranslation.translate(List.of(office, vpn), GROUPS).rules()).hasSize(2);
    }

    @Test
    void aRuleFromAnotherSecurityGroupIsKeptAsUntranslatableWithTheVpcRangeAsSuggestion() {
        SgRule fromLb = new SgRule(WEB, "sgr-9", false, "tcp", 8080, 8080, Optional.empty(), Optional.empty(), Optional.of(LB),
                Optional.empty(), Optional.of("app port from the load balancer"));

        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(fromLb), GROUPS);

        assertThat(intent.rules()).isEmpty();
        Untranslatable kept = intent.untranslatable().get(0);
        assertThat(kept.direction()).isEqualTo(Direction.INBOUND);
        assertThat(kept.reference()).isEqualTo(LB);
        assertThat(kept.rule()).contains(WEB + " (web) inbound TCP 8080 from " + LB + " (lb)").contains("sgr-9");
        assertThat(kept.reason()).contains("security group " + LB);
        assertThat(kept.suggestion()).hasValueSatisfying(s -> assertThat(s)
                .contains("10.0.0.0/16")
                .contains("{direction: inbound, action: ACCEPT, protocol: TCP, ports: \"8080\", addresses: [\"10.0.0.0/16\"]}"));
    }

    @Test
    void anUntranslatableRuleKeepsItsTrafficPeerRangeAndIdSoAFileRuleOrAnAcceptanceCanStandInForIt() {
        SgRule allFromLb = new SgRule(WEB, "sgr-0a1b2c3d", false, "-1", -1, -1, Optional.empty(), Optional.empty(), Optional.of(LB),
                Optional.empty(), Optional.empty());

        Untranslatable kept = SecurityGroupTranslation.translate(List.of(allFromLb), GROUPS).untranslatable().get(0);

        assertThat(kept.protocol()).hasValue(Protocol.ALL);
        assertThat(kept.ports()).isEmpty();
        assertThat(kept.peerRanges()).containsExactly("10.0.0.0/16");
        assertThat(kept.ids()).containsExactly("sgr-0a1b2c3d");
        assertThat(kept.suggestion()).hasValueSatisfying(s -> assertThat(s).contains("these rules appended under the migration's"
                + " firewall.rules: {direction: inbound, action: ACCEPT, protocol: TCP, addresses: [\"10.0.0.0/16\"]},"
                + " {direction: inbound, action: ACCEPT, protocol: UDP, addresses: [\"10.0.0.0/16\"]},"
                + " {direction: inbound, action: ACCEPT, protocol: ICMP, addresses: [\"10.0.0.0/16\"]}"));
    }

    @Test
    void aPrefixListRuleIsKeptAsUntranslatableWithHowToListItsRanges() {
        SgRule list = new SgRule(WEB, "sgr-7", false, "tcp", 443, 443, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("pl-0123456789abcdef0"), Optional.empty());

        Untranslatable kept = SecurityGroupTranslation.translate(List.of(list), GROUPS).untranslatable().get(0);

        assertThat(kept.reference()).isEqualTo("pl-0123456789abcdef0");
        assertThat(kept.suggestion()).hasValueSatisfying(s -> assertThat(s).contains("get-managed-prefix-list-entries"));
    }

    @Test
    void egressOpenToEverythingBecomesTheOpenFlagWithoutOutboundRules() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(
                inbound("sgr-1", "tcp", 22, 22, "203.0.113.0/24"),
                outbound("sgr-2", "-1", -1, -1, "0.0.0.0/0"),
                outbound("sgr-3", "-1", -1, -1, "::/0")), GROUPS);

        assertThat(intent.egressOpen()).isTrue();
        assertThat(intent.rules()).allMatch(rule -> rule.direction() == Direction.INBOUND);
    }

    @Test
    void restrictedEgressKeepsItsOutboundRules() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(outbound("sgr-2", "tcp", 443, 443, "0.0.0.0/0")), GROUPS);

        assertThat(intent.egressOpen()).isFalse();
        assertThat(intent.rules()).singleElement().satisfies(rule -> {
            assertThat(rule.direction()).isEqualTo(Direction.OUTBOUND);
            assertThat(rule.ports()).contains(new PortRange(443, 443));
        });
    }

    @Test
    void anIpProtocolNumberIsKeptAsOther() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(inbound("sgr-1", "50", -1, -1, "10.0.0.0/8"),
                inbound("sgr-2", "6", 80, 80, "10.0.0.0/8")), GROUPS);

        assertThat(intent.rules().get(0).protocol()).isEqualTo(Protocol.OTHER);
        assertThat(intent.rules().get(0).protocolNumber()).contains(50);
        assertThat(intent.rules().get(1).protocol()).as("numbered TCP").isEqualTo(Protocol.TCP);
    }

    @Test
    void writesAddressesInCanonicalForm() {
        FirewallIntent intent = SecurityGroupTranslation.translate(List.of(inbound("sgr-1", "tcp", 22, 22, "10.0.1.7/16"),
                inbound("sgr-2", "tcp", 22, 22, "2001:db8:0:0::/64")), GROUPS);

        assertThat(intent.rules().get(0).addresses()).containsExactly("10.0.0.0/16", "2001:db8::/64");
    }
}
