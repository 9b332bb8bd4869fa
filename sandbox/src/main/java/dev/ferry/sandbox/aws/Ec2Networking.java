package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.SecurityGroup;
import dev.ferry.sandbox.world.SecurityGroupRule;
import dev.ferry.sandbox.world.Subnet;
import dev.ferry.sandbox.world.Vpc;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ferry.sandbox.aws.Ec2Ids.byIds;
import static dev.ferry.sandbox.aws.Ec2Ids.checkIds;
import static java.util.Objects.requireNonNull;

/** EC2 networking: security groups and their rules, subnets, VPCs. */
final class Ec2Networking {

    private final World world;

    Ec2Networking(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    String describeSecurityGroups(QueryParams params, String requestId) {
        List<String> ids = params.list("GroupId");
        List<String> names = params.list("GroupName");
        if ((!ids.isEmpty() || !names.isEmpty()) && params.has("MaxResults")) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "The parameter groupIds cannot be used with the parameter maxResults");
        }
        checkIds("sg", "InvalidGroupId.Malformed", ids);
        return world.read(w -> {
            List<SecurityGroup> groups = ids.isEmpty() ? List.copyOf(w.ec2().securityGroups().values())
                    : byIds(w.ec2().securityGroups(), ids, "InvalidGroup.NotFound", "security group");
            if (!names.isEmpty()) {
                List<String> missing = names.stream()
                        .filter(n -> w.ec2().securityGroups().values().stream().noneMatch(g -> g.name().equals(n))).toList();
                if (!missing.isEmpty()) {
                    throw AwsException.badRequest("InvalidGroup.NotFound", "The security group '" + missing.get(0)
                            + "' does not exist in default VPC '" + defaultVpc(w) + "'");
                }
                groups = groups.stream().filter(g -> names.contains(g.name())).toList();
            }
            Ec2Filters<SecurityGroup> filters = new Ec2Filters<>(SecurityGroup::tags)
                    .single("group-id", SecurityGroup::id)
                    .single("group-name", SecurityGroup::name)
                    .single("vpc-id", SecurityGroup::vpcId)
                    .single("description", SecurityGroup::description)
                    .single("owner-id", g -> w.account())
                    .field("ip-permission.group-id", g -> g.ingress().stream().map(SecurityGroupRule::referencedGroupId)
                            .filter(x -> x != null).toList())
                    .field("ip-permission.cidr", g -> g.ingress().stream().map(SecurityGroupRule::cidrIpv4)
                            .filter(x -> x != null).toList())
                    .field("ip-permission.from-port", g -> g.ingress().stream()
                            .map(r -> String.valueOf(r.fromPort())).toList())
                    .field("ip-permission.to-port", g -> g.ingress().stream()
                            .map(r -> String.valueOf(r.toPort())).toList())
                    .field("ip-permission.protocol", g -> g.ingress().stream().map(SecurityGroupRule::protocol)
                            .toList());
            List<SecurityGroup> matching = filters.apply(groups, Ec2Filters.parse(params, "Filter"));
            Page<SecurityGroup> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5,
                    1000, null, "DescribeSecurityGroups");
            XmlWriter xml = Ec2Xml.response("DescribeSecurityGroups", requestId).start("securityGroupInfo");
            page.items().forEach(g -> Ec2Xml.securityGroup(xml, g, w.account(), w.region()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    static String defaultVpc(World w) {
        return w.ec2().vpcs().values().stream().filter(Vpc::isDefault).map(Vpc::id).findFirst().orElse("");
    }

    private record RuleOf(String groupId, SecurityGroupRule rule) {
    }

    String describeSecurityGroupRules(QueryParams params, String requestId) {
        List<String> ruleIds = params.list("SecurityGroupRuleId");
        return world.read(w -> {
            List<RuleOf> rules = new ArrayList<>();
            for (SecurityGroup group : w.ec2().securityGroups().values()) {
                group.rules().forEach(r -> rules.add(new RuleOf(group.id(), r)));
            }
            List<RuleOf> selected = rules;
            if (!ruleIds.isEmpty()) {
                for (String ruleId : ruleIds) {
                    if (rules.stream().noneMatch(r -> r.rule().ruleId().equals(ruleId))) {
                        throw AwsException.badRequest("InvalidSecurityGroupRuleId.NotFound",
                                "The security group rule ID '" + ruleId + "' does not exist");
                    }
                }
                selected = rules.stream().filter(r -> ruleIds.contains(r.rule().ruleId())).toList();
            }
            Ec2Filters<RuleOf> filters = new Ec2Filters<RuleOf>(r -> Map.of())
                    .single("group-id", RuleOf::groupId)
                    .single("security-group-rule-id", r -> r.rule().ruleId())
                    .single("is-egress", r -> r.rule().egress());
            List<RuleOf> matching = filters.apply(selected, Ec2Filters.parse(params, "Filter"));
            Page<RuleOf> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeSecurityGroupRules");
            XmlWriter xml = Ec2Xml.response("DescribeSecurityGroupRules", requestId).start("securityGroupRuleSet");
            page.items().forEach(r -> Ec2Xml.securityGroupRule(xml, r.rule(), r.groupId(), w.account(), w.region()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    String describeSubnets(QueryParams params, String requestId) {
        List<String> ids = params.list("SubnetId");
        checkIds("subnet", "InvalidSubnetID.Malformed", ids);
        return world.read(w -> {
            List<Subnet> subnets = ids.isEmpty() ? List.copyOf(w.ec2().subnets().values())
                    : byIds(w.ec2().subnets(), ids, "InvalidSubnetID.NotFound", "subnet ID");
            Ec2Filters<Subnet> filters = new Ec2Filters<>(Subnet::tags)
                    .single("subnet-id", Subnet::id)
                    .single("vpc-id", Subnet::vpcId)
                    .single("availability-zone", Subnet::availabilityZone)
                    .single("cidr-block", Subnet::cidrBlock)
                    .single("cidrBlock", Subnet::cidrBlock)
                    .single("cidr", Subnet::cidrBlock)
                    .single("state", s -> "available")
                    .single("default-for-az", s -> false)
                    .single("owner-id", s -> w.account());
            List<Subnet> matching = filters.apply(subnets, Ec2Filters.parse(params, "Filter"));
            Page<Subnet> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeSubnets");
            XmlWriter xml = Ec2Xml.response("DescribeSubnets", requestId).start("subnetSet");
            page.items().forEach(s -> Ec2Xml.subnet(xml, s, w.account(), w.region()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    String describeVpcs(QueryParams params, String requestId) {
        List<String> ids = params.list("VpcId");
        checkIds("vpc", "InvalidVpcID.Malformed", ids);
        return world.read(w -> {
            List<Vpc> vpcs = ids.isEmpty() ? List.copyOf(w.ec2().vpcs().values())
                    : byIds(w.ec2().vpcs(), ids, "InvalidVpcID.NotFound", "vpc ID");
            Ec2Filters<Vpc> filters = new Ec2Filters<>(Vpc::tags)
                    .single("vpc-id", Vpc::id)
                    .single("cidr", Vpc::cidrBlock)
                    .single("cidr-block-association.cidr-block", Vpc::cidrBlock)
                    .single("is-default", Vpc::isDefault)
                    .single("state", v -> "available")
                    .single("owner-id", v -> w.account());
            List<Vpc> matching = filters.apply(vpcs, Ec2Filters.parse(params, "Filter"));
            Page<Vpc> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeVpcs");
            XmlWriter xml = Ec2Xml.response("DescribeVpcs", requestId).start("vpcSet");
            page.items().forEach(v -> Ec2Xml.vpc(xml, v, w.account()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }
}
