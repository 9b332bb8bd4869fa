package dev.ferry.provider.vsphere.vcenter;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;
import java.util.OptionalLong;

/** A VM as {@code GET /api/vcenter/vm} lists it: its identifier ({@code vm-42}), name and power state. */
public record VmSummary(String vm, String name, String powerState, OptionalInt cpuCount, OptionalLong memoryMib) {

    public VmSummary {
        requireNonNull(vm, "vm is null");
        requireNonNull(name, "name is null");
        requireNonNull(powerState, "powerState is null");
        requireNonNull(cpuCount, "cpuCount is null");
        requireNonNull(memoryMib, "memoryMib is null");
    }
}
