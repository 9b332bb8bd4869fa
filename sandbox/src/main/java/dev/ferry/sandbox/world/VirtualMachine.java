package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A virtual machine in the sandbox's vCenter inventory, as {@code GET /api/vcenter/vm/{vm}} describes it.
 *
 * @param id              vCenter's identifier ({@code vm-1002})
 * @param powerState      {@code POWERED_ON}, {@code POWERED_OFF} or {@code SUSPENDED}
 * @param bootType        firmware: {@code BIOS} or {@code EFI}
 * @param hardwareVersion virtual hardware version ({@code VMX_19})
 * @param disks           in device order; the first is the boot disk
 */
public record VirtualMachine(
        String id,
        String name,
        GuestOs guestOs,
        String powerState,
        int cpuCount,
        int coresPerSocket,
        long memoryMib,
        String bootType,
        String hardwareVersion,
        List<Disk> disks,
        List<Nic> nics,
        String biosUuid,
        String instanceUuid) {

    public static final String POWERED_ON = "POWERED_ON";
    public static final String POWERED_OFF = "POWERED_OFF";
    public static final String SUSPENDED = "SUSPENDED";
    public static final Set<String> POWER_STATES = Set.of(POWERED_ON, POWERED_OFF, SUSPENDED);

    public VirtualMachine {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(guestOs, "guestOs is null");
        requireNonNull(powerState, "powerState is null");
        requireNonNull(bootType, "bootType is null");
        requireNonNull(hardwareVersion, "hardwareVersion is null");
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        requireNonNull(biosUuid, "biosUuid is null");
        requireNonNull(instanceUuid, "instanceUuid is null");
        if (!POWER_STATES.contains(powerState)) {
            throw new IllegalArgumentException("power state must be one of " + POWER_STATES + ", was " + powerState);
        }
        if (disks.isEmpty()) {
            throw new IllegalArgumentException("VM " + id + " has no disk");
        }
    }

    public VirtualMachine withPowerState(String state) {
        return new VirtualMachine(id, name, guestOs, state, cpuCount, coresPerSocket, memoryMib, bootType,
                hardwareVersion, disks, nics, biosUuid, instanceUuid);
    }

    /**
     * After a snapshot: every disk backed by the next delta file, {@code [ds] vm/vm-000001.vmdk} after the first,
     * {@code -000002} after the second, as ESXi names them.
     */
    public VirtualMachine withSnapshotTaken() {
        List<Disk> next = disks.stream().map(disk -> {
            java.util.regex.Matcher delta = java.util.regex.Pattern.compile("^(.*)-(\\d{6})\\.vmdk$").matcher(disk.vmdkFile());
            String file = delta.matches()
                    ? delta.group(1) + "-%06d.vmdk".formatted(Integer.parseInt(delta.group(2)) + 1)
                    : disk.vmdkFile().replaceFirst("\\.vmdk$", "") + "-000001.vmdk";
            return new Disk(disk.key(), disk.label(), disk.capacityBytes(), file, disk.content());
        }).toList();
        return new VirtualMachine(id, name, guestOs, powerState, cpuCount, coresPerSocket, memoryMib, bootType,
                hardwareVersion, next, nics, biosUuid, instanceUuid);
    }

    /** The total capacity of the VM's disks. */
    public long capacityBytes() {
        return disks.stream().mapToLong(Disk::capacityBytes).sum();
    }

    /**
     * A virtual disk: its device key ({@code 2000}), label ({@code Hard disk 1}), capacity, the VMDK file
     * backing it on the datastore, and where the sandbox gets its content (smaller than the capacity: the
     * rest reads as zeros).
     */
    public record Disk(String key, String label, long capacityBytes, String vmdkFile, DiskSource content) {
        public Disk {
            requireNonNull(key, "key is null");
            requireNonNull(label, "label is null");
            requireNonNull(vmdkFile, "vmdkFile is null");
            requireNonNull(content, "content is null");
            if (capacityBytes <= 0 || capacityBytes % 512 != 0) {
                throw new IllegalArgumentException("disk capacity must be a positive number of sectors: "
                        + capacityBytes);
            }
        }
    }

    /** A network adapter: key ({@code 4000}), label, adapter type ({@code VMXNET3}), MAC, port group. */
    public record Nic(String key, String label, String type, String macAddress, String networkName,
                      String networkId) {
        public Nic {
            requireNonNull(key, "key is null");
            requireNonNull(label, "label is null");
            requireNonNull(type, "type is null");
            requireNonNull(macAddress, "macAddress is null");
            requireNonNull(networkName, "networkName is null");
            requireNonNull(networkId, "networkId is null");
        }
    }
}
