package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.World;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** EC2 instance types: DescribeInstanceTypes over the world's catalogue. */
final class Ec2InstanceTypes {

    private final World world;

    Ec2InstanceTypes(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    String describeInstanceTypes(QueryParams params, String requestId) {
        List<String> names = params.list("InstanceType");
        return world.read(w -> {
            List<InstanceTypeSpec> types;
            if (names.isEmpty()) {
                types = w.ec2().instanceTypes();
            } else {
                List<String> missing = names.stream().filter(n -> w.ec2().instanceType(n).isEmpty()).toList();
                if (!missing.isEmpty()) {
                    throw AwsException.badRequest("InvalidInstanceType",
                            "The following supplied instance types do not exist: [" + String.join(", ", missing) + "]");
                }
                types = names.stream().distinct().map(n -> w.ec2().instanceType(n).orElseThrow()).toList();
            }
            Ec2Filters<InstanceTypeSpec> filters = new Ec2Filters<InstanceTypeSpec>(null)
                    .single("instance-type", InstanceTypeSpec::name)
                    .single("current-generation", InstanceTypeSpec::currentGeneration)
                    .single("vcpu-info.default-vcpus", InstanceTypeSpec::vcpus)
                    .single("vcpu-info.default-cores", InstanceTypeSpec::cores)
                    .single("vcpu-info.default-threads-per-core", InstanceTypeSpec::threadsPerCore)
                    .single("memory-info.size-in-mib", InstanceTypeSpec::memoryMiB)
                    .field("processor-info.supported-architecture", InstanceTypeSpec::architectures)
                    .single("burstable-performance-supported", InstanceTypeSpec::burstable)
                    .single("bare-metal", t -> false)
                    .single("network-info.network-performance", InstanceTypeSpec::networkPerformance)
                    .single("free-tier-eligible", t -> t.name().equals("t2.micro") || t.name().equals("t3.micro"));
            List<InstanceTypeSpec> matching = filters.apply(types, Ec2Filters.parse(params, "Filter"));
            Page<InstanceTypeSpec> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"),
                    5, 100, 100, "DescribeInstanceTypes");
            XmlWriter xml = Ec2Xml.response("DescribeInstanceTypes", requestId).start("instanceTypeSet");
            page.items().forEach(t -> Ec2Xml.instanceType(xml, t));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }
}
