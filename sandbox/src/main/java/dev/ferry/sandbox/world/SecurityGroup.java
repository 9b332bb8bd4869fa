package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** An EC2 security group with its ingress and egress rules. */
public record SecurityGroup(String id, String name, String description, String vpcId,
                            List<SecurityGroupRule> rules, Map<String, String> tags) {
    public SecurityGroup {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(description, "description is null");
        requireNonNull(vpcId, "vpcId is null");
        rules = List.copyOf(rules);
        tags = Tags.copy(tags);
    }

    public List<SecurityGroupRule> ingress() {
        return rules.stream().filter(r -> !r.egress()).toList();
    }

    public List<SecurityGroupRule> egress() {
        return rules.stream().filter(SecurityGroupRule::egress).toList();
    }

    public SecurityGroup withRules(List<SecurityGroupRule> newRules) {
        return new SecurityGroup(id, name, description, vpcId, newRules, tags);
    }

    public SecurityGroup withTags(Map<String, String> newTags) {
        return new SecurityGroup(id, name, description, vpcId, rules, newTags);
    }
}
