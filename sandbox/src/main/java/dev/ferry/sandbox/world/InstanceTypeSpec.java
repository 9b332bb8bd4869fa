package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An EC2 instance type in the DescribeInstanceTypes catalogue, with its on-demand Linux price per hour
 * in each region the Pricing API knows.
 */
public record InstanceTypeSpec(String name, int vcpus, int cores, int threadsPerCore, long memoryMiB,
                               List<String> architectures, boolean currentGeneration, boolean burstable,
                               String networkPerformance, String processor, double clockGhz,
                               Map<String, Double> linuxHourlyUsd) {
    public InstanceTypeSpec {
        requireNonNull(name, "name is null");
        architectures = List.copyOf(architectures);
        requireNonNull(networkPerformance, "networkPerformance is null");
        requireNonNull(processor, "processor is null");
        linuxHourlyUsd = Map.copyOf(linuxHourlyUsd);
    }

    /** {@code t3} of {@code t3.medium}. */
    public String family() {
        return name.substring(0, name.indexOf('.'));
    }
}
