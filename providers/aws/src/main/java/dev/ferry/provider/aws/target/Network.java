package dev.ferry.provider.aws.target;

import dev.ferry.engine.machine.Cidr;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;

/**
 * The subnets and security groups target instances are launched into, looked up once per run (every
 * migration into one subnet costs one DescribeSubnets), and the checks a launch would otherwise fail:
 * groups of the subnet's VPC, a private address inside the subnet and not one AWS reserves.
 */
public final class Network {

    private final AwsClients clients;
    private final AwsCalls calls;
    private final Map<String, Optional<Subnet>> subnets = new ConcurrentHashMap<>();
    private final Map<String, Optional<SecurityGroup>> groups = new ConcurrentHashMap<>();

    public Network(AwsClients clients, AwsCalls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    Optional<Subnet> subnet(String id) {
        return subnets.computeIfAbsent(id, key -> {
            List<Subnet> found = new ArrayList<>();
            calls.run("EC2 DescribeSubnets " + key, () -> clients.ec2().describeSubnetsPaginator(r -> r.filters(Ec2Tags.filter("subnet-id", key)))
                    .forEach(page -> found.addAll(page.subnets())));
            return found.stream().findFirst();
        });
    }

    Optional<SecurityGroup> group(String id) {
        return groups.computeIfAbsent(id, key -> {
            List<SecurityGroup> found = new ArrayList<>();
            calls.run("EC2 DescribeSecurityGroups " + key, () -> clients.ec2().describeSecurityGroupsPaginator(r -> r
                    .filters(Ec2Tags.filter("group-id", key))).forEach(page -> found.addAll(page.securityGroups())));
            return found.stream().findFirst();
        });
    }

    /** Every problem with launching into {@code subnetId} with {@code groupIds} at {@code privateIp}, one sentence each. */
    List<String> problems(String subnetId, List<String> groupIds, Optional<String> privateIp) {
        List<String> problems = new ArrayList<>();
        String region = clients.regionName();
        Optional<Subnet> subnet = subnet(subnetId);
        if (subnet.isEmpty()) {
            problems.add("subnet " + subnetId + " does not exist in " + region + "; check target.ec2.subnet and providers.aws.region");
        }
        for (String groupId : groupIds) {
            Optional<SecurityGroup> group = group(groupId);
            if (group.isEmpty()) {
                problems.add("security group " + groupId + " does not exist in " + region + "; check target.ec2.security_groups");
            } else if (subnet.isPresent() && !subnet.get().vpcId().equals(group.get().vpcId())) {
                problems.add("security group " + groupId + " (" + group.get().groupName() + ") belongs to " + group.get().vpcId()
                        + ", but subnet " + subnetId + " is in " + subnet.get().vpcId() + ": list groups of the subnet's VPC");
            }
        }
        if (privateIp.isPresent() && subnet.isPresent()) {
            privateIpProblem(privateIp.get(), subnet.get()).ifPresent(problems::add);
        }
        return problems;
    }

    static Optional<String> privateIpProblem(String address, Subnet subnet) {
        Optional<Cidr> ip = Cidr.parse(address).filter(c -> !c.isIpv6() && c.prefixLength() == 32);
        if (ip.isEmpty()) {
            return Optional.of("private_ip '" + address + "' is not an IPv4 address");
        }
        Optional<Cidr> range = Cidr.parse(subnet.cidrBlock());
        if (range.isEmpty()) {
            return Optional.empty();
        }
        if (!range.get().contains(ip.get())) {
            return Optional.of("private_ip " + address + " is outside subnet " + subnet.subnetId() + " (" + subnet.cidrBlock()
                    + "); choose an address in that range");
        }
        long offset = toLong(ip.get().address()) - toLong(range.get().address()) + networkOffset(range.get());
        long size = 1L << (32 - range.get().prefixLength());
        if (offset < 4 || offset == size - 1) {
            return Optional.of("private_ip " + address + " is one of the five addresses AWS reserves in " + subnet.cidrBlock()
                    + " (the first four and the last); choose another");
        }
        return Optional.empty();
    }

    /** How far a CIDR's written address lies past its network address (0 when written canonically). */
    private static long networkOffset(Cidr range) {
        long written = toLong(range.address());
        long mask = range.prefixLength() == 0 ? 0 : (0xFFFFFFFFL << (32 - range.prefixLength())) & 0xFFFFFFFFL;
        return written - (written & mask);
    }

    private static long toLong(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            return 0;
        }
        long value = 0;
        for (byte b : address.getAddress()) {
            value = (value << 8) | (b & 0xFF);
        }
        return value;
    }
}
