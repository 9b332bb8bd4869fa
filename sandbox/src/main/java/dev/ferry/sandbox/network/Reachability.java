package dev.ferry.sandbox.network;

import dev.ferry.sandbox.world.Cidr;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.FirewallRule;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.SandboxWorld;
import dev.ferry.sandbox.world.SecurityGroup;
import dev.ferry.sandbox.world.SecurityGroupRule;
import dev.ferry.sandbox.world.World;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether a machine's TCP port answers the operator: a running machine with that address serves it, and its security
 * groups (EC2) or Cloud Firewall (Linode) let {@link #OPERATOR} in. A seeded instance serves the ports its world entry
 * declares; a machine the sandbox made (from an uploaded or imported disk) serves those of every seeded instance, as
 * the sandbox does not trace which disk it was made from.
 */
public final class Reachability {

    /** Where the operator (ferry's probes) comes from: TEST-NET-3, the office network of the default world's rules. */
    public static final String OPERATOR = "203.0.113.10";

    /** Why a connection is not made, as a SOCKS5 reply code. */
    public enum Refusal {
        /** No running machine has that address. */
        HOST_UNREACHABLE(0x04),
        /** The machine runs but serves nothing on that port. */
        CONNECTION_REFUSED(0x05),
        /** A security group or firewall does not let the operator in on that port. */
        NOT_ALLOWED(0x02);

        final int code;

        Refusal(int code) {
            this.code = code;
        }
    }

    private final World world;
    private final Map<String, List<Integer>> seeded = new TreeMap<>();
    private final Set<Integer> everyService = new TreeSet<>();

    public Reachability(World world, SandboxWorld seed) {
        this.world = world;
        for (SandboxWorld.InstanceSpec instance : seed.instances()) {
            seeded.put(instance.id(), instance.services());
            everyService.addAll(instance.services());
        }
    }

    /** Empty when {@code port} at {@code address} answers; otherwise why not. */
    public Optional<Refusal> check(String address, int port) {
        return world.read(w -> {
            for (Ec2Instance instance : w.ec2().instances().values()) {
                if (instance.state() == InstanceState.RUNNING
                        && (address.equals(instance.privateIp()) || address.equals(instance.publicIp()))) {
                    List<Integer> services = seeded.containsKey(instance.id()) ? seeded.get(instance.id()) : List.copyOf(everyService);
                    return refusal(services.contains(port), allowedBySecurityGroups(w, instance, port));
                }
            }
            for (LinodeInstance linode : w.linode().instances().values()) {
                if (linode.status().equals("running") && linode.ipv4().contains(address)) {
                    return refusal(everyService.contains(port), allowedByFirewall(w, linode, port));
                }
            }
            return Optional.of(Refusal.HOST_UNREACHABLE);
        });
    }

    private static Optional<Refusal> refusal(boolean served, boolean allowed) {
        if (!allowed) {
            return Optional.of(Refusal.NOT_ALLOWED);
        }
        return served ? Optional.empty() : Optional.of(Refusal.CONNECTION_REFUSED);
    }

    private static boolean allowedBySecurityGroups(World w, Ec2Instance instance, int port) {
        for (String groupId : instance.securityGroupIds()) {
            SecurityGroup group = w.ec2().securityGroups().get(groupId);
            if (group == null) {
                continue;
            }
            for (SecurityGroupRule rule : group.ingress()) {
                boolean protocol = rule.protocol().equals("tcp") || rule.protocol().equals("-1");
                boolean ports = rule.fromPort() == -1 || (rule.fromPort() <= port && port <= rule.toPort());
                if (protocol && ports && rule.cidrIpv4() != null && Cidr.parse(rule.cidrIpv4()).contains(OPERATOR)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first inbound rule that matches decides, else the inbound policy; a Linode without a firewall is open. */
    private static boolean allowedByFirewall(World w, LinodeInstance linode, int port) {
        for (Firewall firewall : w.linode().firewalls().values()) {
            boolean protects = firewall.status().equals("enabled") && firewall.devices().stream()
                    .anyMatch(device -> device.type().equals("linode") && device.entityId() == linode.id());
            if (!protects) {
                continue;
            }
            for (FirewallRule rule : firewall.rules().inbound()) {
                if (matches(rule, port)) {
                    return rule.action().equals("ACCEPT");
                }
            }
            return firewall.rules().inboundPolicy().equals("ACCEPT");
        }
        return true;
    }

    private static boolean matches(FirewallRule rule, int port) {
        if (!rule.protocol().equals("TCP") || rule.ipv4() == null
                || rule.ipv4().stream().noneMatch(cidr -> Cidr.parse(cidr.contains("/") ? cidr : cidr + "/32").contains(OPERATOR))) {
            return false;
        }
        if (rule.ports() == null || rule.ports().isBlank()) {
            return true;
        }
        for (String part : rule.ports().split(",")) {
            String[] range = part.trim().split("-");
            int from = Integer.parseInt(range[0].trim());
            int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
            if (from <= port && port <= to) {
                return true;
            }
        }
        return false;
    }
}
