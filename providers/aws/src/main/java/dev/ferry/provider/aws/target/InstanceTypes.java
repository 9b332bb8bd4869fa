package dev.ferry.provider.aws.target;

import dev.ferry.engine.FerryException;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/**
 * EC2 instance types, for {@code instance_type: match}: the current-generation types of an architecture
 * (DescribeInstanceTypes filtered by current-generation and architecture, read once per run), and the
 * smallest one with at least a machine's vCPUs and memory, preferring a family the file names.
 */
public final class InstanceTypes {

    /** One type's size, as the choice sees it. */
    record Size(String name, int vcpus, long memoryMib) {
        String family() {
            int dot = name.indexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }
    }

    /** A type chosen for a machine, and the sentence that explains the choice. */
    record Choice(Size size, String explanation) {
    }

    private final AwsClients clients;
    private final AwsCalls calls;
    private final Map<String, List<Size>> currentGeneration = new ConcurrentHashMap<>();
    private final Map<String, Optional<Size>> byName = new ConcurrentHashMap<>();

    public InstanceTypes(AwsClients clients, AwsCalls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    List<Size> currentGeneration(String architecture) {
        return currentGeneration.computeIfAbsent(architecture, arch -> {
            List<Size> sizes = new ArrayList<>();
            calls.run("EC2 DescribeInstanceTypes", () -> clients.ec2().describeInstanceTypesPaginator(r -> r.maxResults(100).filters(
                            Ec2Tags.filter("current-generation", "true"),
                            Ec2Tags.filter("processor-info.supported-architecture", arch)))
                    .forEach(page -> page.instanceTypes().forEach(type -> size(type).ifPresent(sizes::add))));
            return List.copyOf(sizes);
        });
    }

    Optional<Size> named(String name) {
        return byName.computeIfAbsent(name, key -> {
            try {
                return calls.call("EC2 DescribeInstanceTypes " + key, () -> clients.ec2().describeInstanceTypes(r -> r.instanceTypesWithStrings(key)))
                        .instanceTypes().stream().findFirst().flatMap(InstanceTypes::size);
            } catch (FerryException e) {
                if (AwsCalls.hasCode(e.getCause(), "InvalidInstanceType")) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    private static Optional<Size> size(InstanceTypeInfo type) {
        if (type.vCpuInfo() == null || type.memoryInfo() == null || Boolean.TRUE.equals(type.bareMetal())) {
            return Optional.empty();
        }
        return Optional.of(new Size(type.instanceTypeAsString(), type.vCpuInfo().defaultVCpus(), type.memoryInfo().sizeInMiB()));
    }

    /**
     * The smallest current-generation type with at least {@code vcpus} and {@code memoryMib}: fewest
     * vCPUs, then least memory, then by name (so the choice is the same on every run); within
     * {@code family} when the file names one and something there fits.
     */
    Optional<Choice> match(int vcpus, long memoryMib, String architecture, Optional<String> family) {
        List<Size> fitting = currentGeneration(architecture).stream()
                .filter(size -> size.vcpus() >= vcpus && size.memoryMib() >= memoryMib)
                .sorted(Comparator.comparingInt(Size::vcpus).thenComparingLong(Size::memoryMib).thenComparing(Size::name))
                .toList();
        String need = "at least " + vcpus + " vCPU" + (vcpus == 1 ? "" : "s") + " and " + memoryMib + " MiB";
        if (family.isPresent()) {
            Optional<Size> inFamily = fitting.stream().filter(size -> size.family().equals(family.get())).findFirst();
            if (inFamily.isPresent()) {
                return Optional.of(new Choice(inFamily.get(), "instance_type match: " + describe(inFamily.get())
                        + ", the smallest " + family.get() + " type with " + need));
            }
            return fitting.stream().findFirst().map(size -> new Choice(size, "instance_type match: no current-generation "
                    + family.get() + " type has " + need + "; " + describe(size) + " is the smallest " + architecture + " type that does"));
        }
        return fitting.stream().findFirst().map(size -> new Choice(size, "instance_type match: " + describe(size)
                + ", the smallest current-generation " + architecture + " type with " + need));
    }

    static String describe(Size size) {
        return size.name() + " (" + size.vcpus() + " vCPU" + (size.vcpus() == 1 ? "" : "s") + ", " + size.memoryMib() + " MiB)";
    }
}
