package dev.ferry.provider.vsphere.image;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What an OVF descriptor says of the one virtual machine it describes: its name, CPU count, memory,
 * disks (capacity and the file holding each), network adapters, guest OS and firmware.
 */
public record OvfDescriptor(
        String vmName,
        OptionalInt cpus,
        OptionalLong memoryBytes,
        List<Disk> disks,
        List<FileReference> files,
        List<Nic> nics,
        GuestOsHint guestOs,
        Optional<String> firmware,
        Optional<String> hardwareVersion) {

    public OvfDescriptor {
        requireNonNull(vmName, "vmName is null");
        requireNonNull(cpus, "cpus is null");
        requireNonNull(memoryBytes, "memoryBytes is null");
        disks = List.copyOf(disks);
        files = List.copyOf(files);
        nics = List.copyOf(nics);
        requireNonNull(guestOs, "guestOs is null");
        requireNonNull(firmware, "firmware is null");
        requireNonNull(hardwareVersion, "hardwareVersion is null");
    }

    /** A virtual disk: its id, its capacity in bytes, the file reference holding its content, its format URI. */
    public record Disk(String diskId, long capacityBytes, Optional<String> fileRef, Optional<String> format) {
        public Disk {
            requireNonNull(diskId, "diskId is null");
            requireNonNull(fileRef, "fileRef is null");
            requireNonNull(format, "format is null");
        }
    }

    /** An entry of the References section: {@code href} names the file in the OVA. */
    public record FileReference(String id, String href, OptionalLong size, Optional<String> compression, OptionalLong chunkSize) {
        public FileReference {
            requireNonNull(id, "id is null");
            requireNonNull(href, "href is null");
            requireNonNull(size, "size is null");
            requireNonNull(compression, "compression is null");
            requireNonNull(chunkSize, "chunkSize is null");
        }
    }

    /** A network adapter: its label, the network it connects to and its type (VmxNet3, E1000). */
    public record Nic(String name, Optional<String> network, Optional<String> adapterType) {
        public Nic {
            requireNonNull(name, "name is null");
            requireNonNull(network, "network is null");
            requireNonNull(adapterType, "adapterType is null");
        }
    }

    /**
     * The OperatingSystemSection: the CIM operating system code ({@code ovf:id}), VMware's guest id
     * ({@code vmw:osType}, such as {@code ubuntu64Guest}) and the human description.
     */
    public record GuestOsHint(OptionalInt cimType, Optional<String> vmwareOsType, Optional<String> description) {
        public GuestOsHint {
            requireNonNull(cimType, "cimType is null");
            requireNonNull(vmwareOsType, "vmwareOsType is null");
            requireNonNull(description, "description is null");
        }
    }

    public Optional<FileReference> file(String id) {
        return files.stream().filter(file -> file.id().equals(id)).findFirst();
    }
}
