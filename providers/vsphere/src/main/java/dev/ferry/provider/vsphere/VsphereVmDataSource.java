package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.provider.vsphere.image.DiskImageFormat;
import dev.ferry.provider.vsphere.image.DiskImageInspector;
import dev.ferry.provider.vsphere.image.ImageException;
import dev.ferry.provider.vsphere.image.InspectedImage;
import dev.ferry.provider.vsphere.image.OvfDescriptor;
import dev.ferry.provider.vsphere.vcenter.VcenterClient;
import dev.ferry.provider.vsphere.vcenter.VmInfo;
import dev.ferry.provider.vsphere.vcenter.VmSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code data.vsphere_vm.<migration>}: a VM exported from vSphere, read at plan time from its disk
 * image file (format by content, and for an OVA the descriptor's CPUs, memory, disks and guest OS)
 * and, when the migration names the VM and a vCenter is configured, from vCenter's inventory. Arguments:
 * {@code disk_image} (absolute path), {@code vm} and {@code vcenter} (optional). Outputs:
 * {@code machine} (MachineFacts JSON), {@code disk_image} (DiskImage JSON of kind {@code file}),
 * and {@code boot_mode} ({@code legacy-bios} or {@code uefi}), {@code vm_id}, {@code power_state}
 * when known. Everything that would make the import fail is refused here, before any upload.
 */
final class VsphereVmDataSource implements DataSourceType {

    static final String TYPE = "vsphere_vm";
    static final String KIND = "file";
    /** Why the plan's cost table shows no price for the source: a VM in one's own data centre has no list price. */
    static final String ON_PREMISES = "on-premises";

    private final Optional<VcenterConnection> vcenter;

    VsphereVmDataSource(Optional<VcenterConnection> vcenter) {
        this.vcenter = requireNonNull(vcenter, "vcenter is null");
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
        Map<ResourceAddress, DataResult> results = new LinkedHashMap<>();
        Map<ResourceAddress, InspectedImage> images = new LinkedHashMap<>();
        for (DataRequest request : requests) {
            if (exported(request)) {
                continue;
            }
            Optional<String> path = request.arguments().optionalText("disk_image");
            if (path.isEmpty() || !Path.of(path.get()).isAbsolute()) {
                results.put(request.address(), new DataResult.Failed("disk_image must be an absolute path, not " + path.orElse("(unset)")));
                continue;
            }
            try {
                images.put(request.address(), DiskImageInspector.inspect(Path.of(path.get())));
            } catch (ImageException e) {
                results.put(request.address(), new DataResult.Failed(e.getMessage()));
            }
        }

        Map<ResourceAddress, VmInfo> inventory = new LinkedHashMap<>();
        List<DataRequest> wanted = requests.stream()
                .filter(request -> images.containsKey(request.address()) || exported(request))
                .filter(request -> request.arguments().optionalText("vm").isPresent() && request.arguments().optionalText("vcenter").isPresent())
                .toList();
        if (!wanted.isEmpty()) {
            readInventory(wanted, inventory, results);
        }

        for (DataRequest request : requests) {
            if (exported(request) && !results.containsKey(request.address())) {
                VmInfo info = inventory.get(request.address());
                results.put(request.address(), info == null
                        ? new DataResult.Failed("vm '" + request.arguments().optionalText("vm").orElse("") + "' has no disk_image, so ferry exports it "
                        + "from vCenter: set providers.vsphere.vcenter") : describeExport(request, info));
            }
        }
        for (DataRequest request : requests) {
            InspectedImage image = images.get(request.address());
            if (image != null && !results.containsKey(request.address())) {
                results.put(request.address(), describe(request, image, Optional.ofNullable(inventory.get(request.address()))));
            }
        }
        return results;
    }

    /** One list call for every VM name, then one details call per VM found. */
    private void readInventory(List<DataRequest> wanted, Map<ResourceAddress, VmInfo> inventory, Map<ResourceAddress, DataResult> results) {
        for (DataRequest request : wanted) {
            String url = request.arguments().text("vcenter");
            if (vcenter.isEmpty() || !vcenter.get().url().equals(url)) {
                results.put(request.address(), new DataResult.Failed("vcenter " + url + " is not the vCenter configured under providers.vsphere ("
                        + vcenter.map(VcenterConnection::url).orElse("none") + ")"));
            }
        }
        List<DataRequest> reachable = wanted.stream().filter(request -> !results.containsKey(request.address())).toList();
        if (reachable.isEmpty()) {
            return;
        }
        VcenterClient client;
        Map<String, List<VmSummary>> byName;
        try {
            client = vcenter.orElseThrow().client();
            byName = client.findByNames(reachable.stream().map(request -> request.arguments().text("vm")).toList()).stream()
                    .collect(Collectors.groupingBy(VmSummary::name, LinkedHashMap::new, Collectors.toList()));
        } catch (FerryException e) {
            reachable.forEach(request -> results.put(request.address(), new DataResult.Failed(e.getMessage())));
            return;
        }
        for (DataRequest request : reachable) {
            String name = request.arguments().text("vm");
            List<VmSummary> matches = byName.getOrDefault(name, List.of());
            if (matches.isEmpty()) {
                results.put(request.address(), new DataResult.Failed("vCenter " + client.endpoint() + " has no VM named '" + name
                        + "' (or user lacks the privilege to see it): check source.vsphere.vm against the vSphere Client"));
            } else if (matches.size() > 1) {
                results.put(request.address(), new DataResult.Failed("vCenter " + client.endpoint() + " has " + matches.size()
                        + " VMs named '" + name + "' (" + matches.stream().map(VmSummary::vm).collect(Collectors.joining(", "))
                        + "): rename one so that source.vsphere.vm names exactly one VM"));
            } else {
                try {
                    inventory.put(request.address(), client.vm(matches.get(0).vm()));
                } catch (FerryException e) {
                    results.put(request.address(), new DataResult.Failed(e.getMessage()));
                }
            }
        }
    }

    private DataResult describe(DataRequest request, InspectedImage image, Optional<VmInfo> vm) {
        List<Note> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>(image.problems());
        image.warnings().forEach(warning -> notes.add(Note.warning(warning)));
        notes.add(Note.info(summary(image)));
        if (image.format() == DiskImageFormat.VMDK && !image.streamOptimized() && image.problems().isEmpty()) {
            notes.add(Note.warning(image.path().getFileName() + " is a " + image.variant() + " VMDK; AWS VM Import documents "
                    + "stream-optimized ESX VMDKs: if the import fails, convert it with "
                    + "'qemu-img convert -O vmdk -o subformat=streamOptimized' or export the VM as an OVA"));
        }

        Optional<OvfDescriptor> ovf = image.appliance().map(InspectedImage.Appliance::descriptor);
        String name;
        int vcpus;
        long memoryMib;
        GuestOs guest;
        List<MachineFacts.Disk> disks = new ArrayList<>();
        Optional<String> bootMode;
        Optional<String> powerState = Optional.empty();
        if (vm.isPresent()) {
            VmInfo info = vm.get();
            name = info.name();
            vcpus = info.cpuCount();
            memoryMib = info.memoryMib();
            GuestOs fromVcenter = GuestOs.fromVsphere(info.guestOs());
            guest = !fromVcenter.known() && ovf.isPresent() ? GuestOs.fromOvf(ovf.get().guestOs()) : fromVcenter;
            for (VmInfo.Disk disk : info.disks()) {
                disks.add(new MachineFacts.Disk(disk.label(), disk.capacityBytes().orElse(0), disks.isEmpty(), Optional.of("vmdk"), false));
            }
            bootMode = info.bootType().map(type -> type.equalsIgnoreCase("EFI") ? "uefi" : "legacy-bios");
            powerState = Optional.of(info.powerState());
            notes.add(Note.info("vCenter " + vcenter.map(VcenterConnection::url).orElse("") + ": VM '" + info.name() + "' (" + info.vm()
                    + ") is " + info.powerState() + "; " + vcpus + " vCPUs, " + memoryMib + " MiB, " + info.disks().size() + " disk"
                    + (info.disks().size() == 1 ? "" : "s") + ", " + info.nics().size() + " network adapter"
                    + (info.nics().size() == 1 ? "" : "s") + ", guest " + info.guestOs()));
            powerNote(info).ifPresent(notes::add);
            ovf.ifPresent(descriptor -> compare(info, descriptor).ifPresent(notes::add));
            int inImage = image.appliance().map(appliance -> appliance.disks().size()).orElse(1);
            if (info.disks().size() > inImage) {
                notes.add(Note.warning("VM '" + info.name() + "' has " + info.disks().size() + " disks in vCenter, but "
                        + image.path().getFileName() + " holds " + inImage + ": only " + (inImage == 1 ? "that disk" : "those disks")
                        + " will be imported: remove disk_image so that ferry exports the VM from vCenter with every disk, "
                        + "or export it by hand as an OVA"));
            }
            snapshotNote(info).ifPresent(notes::add);
            if (vcenter.map(VcenterConnection::insecure).orElse(false)) {
                notes.add(Note.warning("TLS certificate checks are off for vCenter " + vcenter.get().url()
                        + " (providers.vsphere.insecure: true): anyone between here and vCenter could read the password"));
            }
        } else if (ovf.isPresent()) {
            OvfDescriptor descriptor = ovf.get();
            name = descriptor.vmName();
            vcpus = descriptor.cpus().orElse(0);
            memoryMib = descriptor.memoryBytes().isPresent() ? (descriptor.memoryBytes().getAsLong() + (1 << 20) - 1) >> 20 : 0;
            guest = GuestOs.fromOvf(descriptor.guestOs());
            for (OvfDescriptor.Disk disk : descriptor.disks()) {
                disks.add(new MachineFacts.Disk(disk.diskId(), disk.capacityBytes(), disks.isEmpty(), Optional.of("vmdk"), false));
            }
            bootMode = descriptor.firmware().map(firmware -> firmware.equalsIgnoreCase("efi") ? "uefi" : "legacy-bios");
            if (descriptor.cpus().isEmpty() || descriptor.memoryBytes().isEmpty()) {
                notes.add(Note.warning("the OVA's descriptor gives no " + (descriptor.cpus().isEmpty() ? "CPU count" : "memory size")
                        + ": give the target an explicit instance type, or set providers.vsphere.vcenter and source.vsphere.vm"));
            }
        } else {
            name = request.arguments().optionalText("vm").orElse(stem(image.path()));
            vcpus = 0;
            memoryMib = 0;
            guest = GuestOs.unknown();
            disks.add(new MachineFacts.Disk(image.path().getFileName().toString(), image.capacityBytes().orElse(image.fileBytes()), true,
                    Optional.of(image.format().id()), false));
            bootMode = Optional.empty();
            notes.add(Note.warning("a " + image.format().displayName() + " file alone does not say how many vCPUs or how much memory the VM "
                    + "has, nor its guest OS: set providers.vsphere.vcenter and source.vsphere.vm, export the VM as an OVA, "
                    + "or give the target an explicit instance type"));
        }

        guestNote(guest).ifPresent(notes::add);
        firmware(guest, bootMode, failures, notes);
        List<Long> uploaded = image.appliance().map(appliance -> appliance.disks().stream().map(InspectedImage.ApplianceDisk::fileBytes).toList())
                .orElse(List.of(image.fileBytes()));
        limits(image, disks, uploaded, failures, notes);
        if (!failures.isEmpty()) {
            return new DataResult.Failed(String.join("; ", failures));
        }

        // An OVA's descriptor carries the firmware to ImportImage itself; a single VMDK, VHD or RAW file does not, so the
        // machine says it (from vCenter) for the import to pass as BootMode
        Optional<String> machineBootMode = ovf.isEmpty() ? bootMode : Optional.empty();
        MachineFacts machine = new MachineFacts("vsphere", name, vcpus, memoryMib, guest.architecture(), guest.platform(),
                guest.known() ? Optional.of(guest.description()) : Optional.empty(), disks, List.of(), List.of(), Map.of(),
                Optional.empty(), Optional.empty(), powerState, machineBootMode);
        ObjectNode location = JsonNodeFactory.instance.objectNode().put("path", image.path().toString());
        DiskImage diskImage = new DiskImage(KIND, image.format().id(), image.fileBytes(), location, image.path().toString());
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        outputs.set("machine", machine.toJson());
        outputs.put(MachineFacts.PRICE_NOT_APPLICABLE, ON_PREMISES);
        outputs.set("disk_image", diskImage.toJson());
        bootMode.ifPresent(mode -> outputs.put("boot_mode", mode));
        vm.ifPresent(info -> outputs.put("vm_id", info.vm()).put("power_state", info.powerState()));
        return new DataResult.Found(outputs, notes);
    }

    private static boolean exported(DataRequest request) {
        return request.arguments().find("export").map(node -> node.asBoolean(false)).orElse(false);
    }

    /**
     * A VM ferry exports itself: everything comes from vCenter's inventory. vCenter captures only a powered-off VM, so
     * the plan says what the capture does to a powered-on one: with {@code shutdown: true} ferry shuts the guest down
     * and leaves it off; without, the plan fails here, before anything is made.
     */
    private DataResult describeExport(DataRequest request, VmInfo info) {
        List<Note> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        boolean shutdown = request.arguments().find("shutdown").map(node -> node.asBoolean(false)).orElse(false);
        GuestOs guest = GuestOs.fromVsphere(info.guestOs());
        List<MachineFacts.Disk> disks = new ArrayList<>();
        for (VmInfo.Disk disk : info.disks()) {
            disks.add(new MachineFacts.Disk(disk.label(), disk.capacityBytes().orElse(0), disks.isEmpty(), Optional.of("vmdk"), false));
        }
        notes.add(Note.info("vCenter " + vcenter.map(VcenterConnection::url).orElse("") + ": VM '" + info.name() + "' (" + info.vm()
                + ") is " + info.powerState() + "; " + info.cpuCount() + " vCPUs, " + info.memoryMib() + " MiB, " + info.disks().size() + " disk"
                + (info.disks().size() == 1 ? "" : "s") + " (" + disks.stream().map(disk -> disk.name() + " " + Sizes.human(disk.sizeBytes()))
                .collect(Collectors.joining(", ")) + "), guest " + info.guestOs() + "; ferry exports it from vCenter as an OVF template"));
        switch (info.powerState()) {
            case VmInfo.POWERED_OFF -> notes.add(Note.info("VM '" + info.name() + "' is powered off, as vCenter requires for the capture"));
            case VmInfo.POWERED_ON -> {
                if (shutdown) {
                    notes.add(Note.warning("VM '" + info.name() + "' is powered on: vCenter captures only a powered-off VM, so ferry shuts its guest "
                            + "down (VMware Tools) before the capture and leaves it powered off (shutdown: true)"));
                } else {
                    failures.add("VM '" + info.name() + "' is powered on, and vCenter captures only a powered-off VM (ferry does not clone it): "
                            + "power it off, or set 'shutdown: true' under source.vsphere so that ferry shuts its guest down before the capture");
                }
            }
            default -> failures.add("VM '" + info.name() + "' is " + info.powerState() + ": vCenter captures only a powered-off VM; power it off "
                    + "cleanly, then run ferry plan again");
        }
        if (vcenter.map(VcenterConnection::insecure).orElse(false)) {
            notes.add(Note.warning("TLS certificate checks are OFF for vCenter " + vcenter.get().url() + " and the ESXi hosts of its download URLs "
                    + "(providers.vsphere.insecure: true): anyone between here and them could read the password and the disks"));
        } else {
            vcenter.flatMap(VcenterConnection::caBundle).ifPresent(bundle -> notes.add(Note.info("vCenter and its ESXi hosts are trusted through "
                    + "the system's CAs and " + bundle)));
        }
        guestNote(guest).ifPresent(notes::add);
        Optional<String> bootMode = info.bootType().map(type -> type.equalsIgnoreCase("EFI") ? "uefi" : "legacy-bios");
        firmware(guest, bootMode, failures, notes);
        snapshotNote(info).ifPresent(notes::add);
        notes.add(disksNote(disks));
        for (MachineFacts.Disk disk : disks) {
            if (disk.sizeBytes() > ImportLimits.MAX_DISK_IMAGE_BYTES) {
                notes.add(Note.warning("disk '" + disk.name() + "' is " + Sizes.human(disk.sizeBytes()) + ": VM Import takes a disk image of at most "
                        + Sizes.human(ImportLimits.MAX_DISK_IMAGE_BYTES) + " compressed, which only the capture tells; ferry checks each disk's "
                        + "file once vCenter has captured it, before anything is uploaded"));
            }
        }
        if (disks.size() > ImportLimits.MAX_VOLUMES) {
            failures.add("the VM has " + disks.size() + " disks, and AWS VM Import fails for VMs with more than " + ImportLimits.MAX_VOLUMES
                    + " volumes: detach the extra disks before exporting, and move their data separately");
        }
        for (MachineFacts.Disk disk : disks) {
            if (disk.sizeBytes() > ImportLimits.MAX_VOLUME_BYTES) {
                failures.add("disk '" + disk.name() + "' is " + Sizes.human(disk.sizeBytes()) + ", larger than the "
                        + Sizes.human(ImportLimits.MAX_VOLUME_BYTES) + " AWS VM Import supports for a volume: shrink it before exporting");
            }
        }
        if (!failures.isEmpty()) {
            return new DataResult.Failed(String.join("; ", failures));
        }
        MachineFacts machine = new MachineFacts("vsphere", info.name(), info.cpuCount(), info.memoryMib(), guest.architecture(), guest.platform(),
                guest.known() ? Optional.of(guest.description()) : Optional.empty(), disks, List.of(), List.of(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.of(info.powerState()));
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        outputs.set("machine", machine.toJson());
        outputs.put(MachineFacts.PRICE_NOT_APPLICABLE, ON_PREMISES);
        bootMode.ifPresent(mode -> outputs.put("boot_mode", mode));
        outputs.put("vm_id", info.vm()).put("power_state", info.powerState());
        return new DataResult.Found(outputs, notes);
    }

    private static String summary(InspectedImage image) {
        StringBuilder text = new StringBuilder(image.path().getFileName() + ": " + image.describe() + " (recognised by its content), "
                + Sizes.human(image.fileBytes()) + " to upload");
        image.capacityBytes().ifPresent(capacity -> text.append(", ").append(Sizes.human(capacity)).append(" of virtual disk"));
        image.appliance().ifPresent(appliance -> text.append("; ").append(appliance.disks().size()).append(" disk")
                .append(appliance.disks().size() == 1 ? "" : "s").append(" inside: ")
                .append(appliance.disks().stream().map(disk -> disk.fileName() + " (" + disk.variant() + ", " + Sizes.human(disk.capacityBytes()) + ")")
                        .collect(Collectors.joining(", "))));
        return text.toString();
    }

    private static Optional<Note> powerNote(VmInfo info) {
        return switch (info.powerState()) {
            case VmInfo.POWERED_ON -> Optional.of(Note.warning("VM '" + info.name() + "' is powered on in vCenter: an image exported "
                    + "from a running VM may be inconsistent (files caught mid-write); shut it down and export it again for a clean copy"));
            case VmInfo.SUSPENDED -> Optional.of(Note.warning("VM '" + info.name() + "' is suspended in vCenter: its disks may not hold "
                    + "what its memory held; power it off cleanly and export it again"));
            default -> Optional.empty();
        };
    }

    /** vCenter describes the VM as it is now; the OVA as it was when exported. */
    private static Optional<Note> compare(VmInfo info, OvfDescriptor descriptor) {
        List<String> differences = new ArrayList<>();
        if (descriptor.cpus().isPresent() && descriptor.cpus().getAsInt() != info.cpuCount()) {
            differences.add(info.cpuCount() + " vCPUs (the OVA says " + descriptor.cpus().getAsInt() + ")");
        }
        long ovfMib = descriptor.memoryBytes().orElse(-1) >> 20;
        if (descriptor.memoryBytes().isPresent() && ovfMib != info.memoryMib()) {
            differences.add(info.memoryMib() + " MiB of memory (the OVA says " + ovfMib + ")");
        }
        if (descriptor.disks().size() != info.disks().size()) {
            differences.add(info.disks().size() + " disks (the OVA has " + descriptor.disks().size() + ")");
        }
        if (differences.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Note.warning("vCenter gives VM '" + info.name() + "' " + String.join(", ", differences)
                + ": is the disk image an export of this VM, and a recent one? ferry sizes the target from vCenter"));
    }

    private static Optional<Note> guestNote(GuestOs guest) {
        if (!guest.known()) {
            return Optional.of(Note.warning("the guest operating system is not known (" + guest.description() + "): AWS VM Import "
                    + "finds it on the disk and refuses those it does not support; check it is on VM Import's list"));
        }
        if (guest.sixtyFourBit().isPresent() && !guest.sixtyFourBit().get()) {
            return Optional.of(Note.warning("the guest OS " + guest.description() + " (" + guest.id() + ") is 32-bit: AWS VM Import "
                    + "imports 64-bit Linux only, and 32-bit Windows only for some releases; the import will likely fail: move a 64-bit "
                    + "installation of the same system, or rebuild the machine on an AMI EC2 offers"));
        }
        if (guest.family() == GuestOs.Family.OTHER) {
            return Optional.of(Note.warning("the guest OS " + guest.description() + " (" + guest.id() + ") is neither Linux nor Windows: "
                    + "AWS VM Import supports only those; the import will likely fail: rebuild the machine on an AMI EC2 offers for it (FreeBSD, "
                    + "for one, publishes its own), and move its data separately"));
        }
        if (!guest.listedByAws()) {
            return Optional.of(Note.warning("the guest OS " + guest.description() + " (" + guest.id() + ") is not on AWS VM Import's "
                    + "list of supported operating systems: the import may fail; upgrade the guest to a listed release before exporting, "
                    + "or rebuild it on an AMI EC2 offers"));
        }
        return Optional.of(Note.info("guest OS " + guest.description() + " (" + guest.id() + "): " + guest.platform() + ", 64-bit"));
    }

    private static void limits(InspectedImage image, List<MachineFacts.Disk> disks, List<Long> uploaded, List<String> failures, List<Note> notes) {
        for (int i = 0; i < uploaded.size(); i++) {
            if (uploaded.get(i) > ImportLimits.MAX_DISK_IMAGE_BYTES) {
                int index = i;
                String disk = i < disks.size() ? disks.get(i).name() : "disk " + (i + 1);
                String where = image.appliance().map(appliance -> appliance.disks().get(index).fileName() + " in ").orElse("")
                        + image.path().getFileName();
                failures.add("disk '" + disk + "' is " + Sizes.human(uploaded.get(i)) + " as uploaded (" + where + ")"
                        + ", more than the " + Sizes.human(ImportLimits.MAX_DISK_IMAGE_BYTES) + " VM Import takes for one disk image: "
                        + "shrink the disk or free and zero its unused space before exporting (a stream-optimized VMDK compresses what is zero), "
                        + "or move that disk's data separately");
            }
        }
        if (disks.size() > ImportLimits.MAX_VOLUMES) {
            failures.add("the VM has " + disks.size() + " disks, and AWS VM Import fails for VMs with more than " + ImportLimits.MAX_VOLUMES
                    + " volumes: detach the extra disks before exporting, and move their data separately");
        }
        for (MachineFacts.Disk disk : disks) {
            if (disk.sizeBytes() > ImportLimits.MAX_VOLUME_BYTES) {
                failures.add("disk '" + disk.name() + "' is " + Sizes.human(disk.sizeBytes()) + ", larger than the "
                        + Sizes.human(ImportLimits.MAX_VOLUME_BYTES) + " AWS VM Import supports for a volume: shrink it before exporting");
            }
        }
        if (image.fileBytes() > ImportLimits.MAX_OBJECT_BYTES) {
            notes.add(Note.warning(image.path().getFileName() + " is " + Sizes.human(image.fileBytes()) + ", more than the "
                    + Sizes.human(ImportLimits.MAX_OBJECT_BYTES) + " S3 has long allowed for one object: the upload may be refused"));
        }
        if (image.format() == DiskImageFormat.RAW && image.variant().equals("MBR") && image.fileBytes() > ImportLimits.MAX_MBR_BOOT_BYTES) {
            notes.add(Note.warning(image.path().getFileName() + " is a " + Sizes.human(image.fileBytes()) + " disk with an MBR partition "
                    + "table, which addresses only the first 2 TiB: space beyond that cannot be used by the imported instance"));
        }
        notes.add(disksNote(disks.subList(0, Math.min(disks.size(), uploaded.size()))));
    }

    /** Every disk that travels, in the order ImportImage makes them the AMI's block devices (the boot disk first). */
    private static Note disksNote(List<MachineFacts.Disk> disks) {
        StringBuilder text = new StringBuilder(disks.size() == 1 ? "1 disk to import: " : disks.size() + " disks to import, in order: ");
        for (int i = 0; i < disks.size(); i++) {
            MachineFacts.Disk disk = disks.get(i);
            text.append(i == 0 ? "" : ", ").append(i + 1).append(". '").append(disk.name()).append("' ").append(Sizes.human(disk.sizeBytes()))
                    .append(i == 0 ? " (boot)" : "");
        }
        if (disks.size() > 1) {
            text.append("; ImportImage makes each an EBS snapshot of one AMI, in this order, and the instance gets a volume of each "
                    + "(the vmimport role's policy covers multi-disk imports)");
        }
        return Note.info(text.toString());
    }

    /**
     * A VM with snapshots runs on delta files; vCenter's export (and an OVA exported by hand) takes the VM as it is now, with
     * every snapshot's changes merged into one disk each, and leaves the snapshots behind.
     */
    private static Optional<Note> snapshotNote(VmInfo info) {
        List<VmInfo.Disk> deltas = info.onSnapshotDeltas();
        if (deltas.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Note.warning("VM '" + info.name() + "' has snapshots (" + deltas.stream().map(disk -> "'" + disk.label() + "' runs on "
                + disk.vmdkFile().orElse("")).collect(Collectors.joining(", ")) + "): the export takes its current state, every snapshot's "
                + "changes merged into one disk each, not an earlier snapshot, and the snapshots themselves do not travel; to move an "
                + "earlier state, revert the VM to that snapshot first"));
    }

    /**
     * The firmware VM Import can register: legacy BIOS for any supported guest, UEFI for 64-bit ones (the AMI is then
     * marked {@code uefi}); 32-bit images are imported with BIOS only.
     */
    private static void firmware(GuestOs guest, Optional<String> bootMode, List<String> failures, List<Note> notes) {
        if (bootMode.isEmpty()) {
            return;
        }
        boolean uefi = bootMode.get().equals("uefi");
        if (uefi && guest.sixtyFourBit().filter(wide -> !wide).isPresent()) {
            failures.add("the VM boots with EFI firmware and its guest OS " + guest.description() + " (" + guest.id() + ") is 32-bit: "
                    + "VM Import imports 32-bit images with legacy BIOS only; move a 64-bit installation, or switch the VM to BIOS "
                    + "(VM Options > Boot Options > Firmware) if its guest can boot that way");
            return;
        }
        notes.add(Note.info("firmware " + (uefi ? "EFI: the imported AMI boots in uefi mode, so the instance type must support UEFI "
                + "(Nitro types do; Xen types such as t2 and m4 do not)" : "BIOS: the imported AMI boots in legacy-bios mode")));
    }

    private static String stem(Path path) {
        String file = path.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = (dot > 0 ? file.substring(0, dot) : file).toLowerCase(Locale.ROOT);
        return stem.isEmpty() ? "vm" : stem;
    }
}
