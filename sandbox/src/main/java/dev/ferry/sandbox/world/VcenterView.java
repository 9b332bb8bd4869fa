package dev.ferry.sandbox.world;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What tests may see of vCenter: its VMs, the disk images it would export of them and their disks' bytes, its API
 * sessions; and snapshots, power states and expired sessions to set up.
 */
public final class VcenterView {

    private final World world;
    private final VmImages vmImages;

    VcenterView(World world) {
        this.world = requireNonNull(world, "world is null");
        this.vmImages = new VmImages(world.disks());
    }

    /** vCenter's virtual machines, in inventory order. */
    public List<VirtualMachine> vms() {
        return world.read(w -> List.copyOf(w.vms().values()));
    }

    /** A VM by its id ({@code vm-1002}) or, when no id matches, by its name if only one VM has it. */
    public Optional<VirtualMachine> vm(String idOrName) {
        return world.read(w -> find(w, idOrName));
    }

    private static Optional<VirtualMachine> find(World w, String idOrName) {
        VirtualMachine byId = w.vms().get(idOrName);
        if (byId != null) {
            return Optional.of(byId);
        }
        List<VirtualMachine> named = w.vms().values().stream().filter(v -> v.name().equals(idOrName)).toList();
        if (named.size() > 1) {
            throw new IllegalArgumentException(named.size() + " VMs are named " + idOrName + " ("
                    + String.join(", ", named.stream().map(VirtualMachine::id).toList()) + "): name one by its id");
        }
        return named.stream().findFirst();
    }

    private VirtualMachine requireVm(String idOrName) {
        return vm(idOrName).orElseThrow(() -> new IllegalArgumentException("no VM " + idOrName + " in the sandbox's "
                + "vCenter (it has " + String.join(", ", vms().stream().map(v -> v.name() + " (" + v.id() + ")")
                .toList()) + ")"));
    }

    /**
     * Writes the disk image file vCenter would export of a VM (by id or name) to {@code target}, replacing
     * it: an OVA (OVF descriptor, manifest and a stream-optimized VMDK per disk), the stream-optimized VMDK
     * of its boot disk, or its boot disk raw (a sparse file of the disk's full capacity). The OVF describes
     * the VM as the API does (CPUs, memory, disk capacities, guest OS, firmware, networks); the disks hold
     * the VM's generated content. VMDKs are cached with the disk images, so repeated exports are cheap.
     *
     * @return {@code target}
     */
    public Path exportVmImage(String vm, Path target, VmImageFormat format) {
        return exportVmImage(vm, 1, target, format);
    }

    /**
     * As {@link #exportVmImage(String, Path, VmImageFormat)}, for disk {@code diskNumber} (from 1) of a VMDK or
     * RAW export; an OVA always holds every disk, so it takes only 1.
     */
    public Path exportVmImage(String vm, int diskNumber, Path target, VmImageFormat format) {
        requireNonNull(format, "format is null");
        if (format == VmImageFormat.OVA && diskNumber != 1) {
            throw new IllegalArgumentException("an OVA holds all of a VM's disks: export it as disk 1");
        }
        return vmImages.export(requireVm(vm), diskNumber, target, format);
    }

    /**
     * The hex SHA-256 of the first {@code length} bytes of disk {@code diskNumber} (from 1) of a VM, as the guest
     * sees it (past the disk's content it reads as zeros).
     */
    public String vmDiskSha256(String vm, int diskNumber, long length) {
        VirtualMachine machine = requireVm(vm);
        if (diskNumber < 1 || diskNumber > machine.disks().size()) {
            throw new IllegalArgumentException("VM " + machine.name() + " has " + machine.disks().size() + " disk(s), not a disk " + diskNumber);
        }
        return DiskBytes.sha256(world.disks().blob(machine.disks().get(diskNumber - 1).content()), length);
    }

    /** How many bytes of disk {@code diskNumber} (from 1) of a VM hold content (the rest of its capacity is zeros). */
    public long vmDiskContentBytes(String vm, int diskNumber) {
        return world.disks().blob(requireVm(vm).disks().get(diskNumber - 1).content()).size();
    }

    /**
     * Takes a snapshot of a VM, as the vSphere Client's "Take Snapshot" does: from then on each disk is backed by a
     * new delta file ({@code app-02-000001.vmdk}), which is what {@code GET /api/vcenter/vm/{vm}} shows. The disks'
     * content (the VM's current state) does not change.
     */
    public void takeVmSnapshot(String idOrName) {
        String id = requireVm(idOrName).id();
        world.writeAndForget(w -> w.vms().computeIfPresent(id, (k, vm) -> vm.withSnapshotTaken()));
    }

    /** How many vCenter API sessions are open. */
    public int sessionCount() {
        return world.read(w -> w.vcenterSessions().size());
    }

    /** Forgets every vCenter API session, as vCenter does with idle ones: clients must log in again. */
    public void expireSessions() {
        world.read(w -> {
            w.vcenterSessions().clear();
            return null;
        });
    }

    /** Powers a VM on or off ({@code POWERED_ON}, {@code POWERED_OFF}, {@code SUSPENDED}). */
    public void setVmPowerState(String idOrName, String powerState) {
        if (!VirtualMachine.POWER_STATES.contains(powerState)) {
            throw new IllegalArgumentException("power state must be one of " + VirtualMachine.POWER_STATES);
        }
        String id = requireVm(idOrName).id();
        world.writeAndForget(w -> w.vms().computeIfPresent(id, (k, vm) -> vm.withPowerState(powerState)));
    }
}
