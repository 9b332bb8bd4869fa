package dev.ferry.provider.vsphere.vcenter;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A VM as {@code GET /api/vcenter/vm/{vm}} describes it: guest OS ({@code UBUNTU_64}), power state
 * ({@code POWERED_ON}, {@code POWERED_OFF}, {@code SUSPENDED}), CPUs, memory, disks, network adapters,
 * firmware ({@code BIOS}, {@code EFI}).
 */
public record VmInfo(
        String vm,
        String name,
        String guestOs,
        String powerState,
        int cpuCount,
        long memoryMib,
        List<Disk> disks,
        List<Nic> nics,
        Optional<String> bootType,
        Optional<String> hardwareVersion) {

    public static final String POWERED_ON = "POWERED_ON";
    public static final String POWERED_OFF = "POWERED_OFF";
    public static final String SUSPENDED = "SUSPENDED";

    public VmInfo {
        requireNonNull(vm, "vm is null");
        requireNonNull(name, "name is null");
        requireNonNull(guestOs, "guestOs is null");
        requireNonNull(powerState, "powerState is null");
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        requireNonNull(bootType, "bootType is null");
        requireNonNull(hardwareVersion, "hardwareVersion is null");
    }

    /**
     * The disks backed by a snapshot's delta file ({@code [ds] vm/vm-000001.vmdk}): ESXi names each new delta so,
     * and vCenter's REST VM Info shows the file a disk runs on, so a VM with snapshots is known by its disks.
     */
    public List<Disk> onSnapshotDeltas() {
        return disks.stream().filter(disk -> disk.vmdkFile().filter(file -> DELTA.matcher(file).find()).isPresent()).toList();
    }

    private static final java.util.regex.Pattern DELTA = java.util.regex.Pattern.compile("-\\d{6}\\.vmdk$");

    /** A virtual disk: its device key ({@code 2000}), label, capacity and the VMDK file backing it. */
    public record Disk(String key, String label, OptionalLong capacityBytes, Optional<String> vmdkFile) {
        public Disk {
            requireNonNull(key, "key is null");
            requireNonNull(label, "label is null");
            requireNonNull(capacityBytes, "capacityBytes is null");
            requireNonNull(vmdkFile, "vmdkFile is null");
        }
    }

    /** A network adapter: its key, label, adapter type, MAC address, connection state and network name. */
    public record Nic(String key, String label, Optional<String> type, Optional<String> macAddress, Optional<String> state,
                      Optional<String> networkName) {
        public Nic {
            requireNonNull(key, "key is null");
            requireNonNull(label, "label is null");
            requireNonNull(type, "type is null");
            requireNonNull(macAddress, "macAddress is null");
            requireNonNull(state, "state is null");
            requireNonNull(networkName, "networkName is null");
        }
    }
}
