package dev.ferry.provider.vsphere.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Recognises a disk image by its content, never by its name: OVA (a tar whose first member is an
 * OVF descriptor), VMDK (sparse extent header {@code KDMV}, or a descriptor file), VHD (footer
 * {@code conectix}), VHDX ({@code vhdxfile}) and raw disks (an MBR or GPT partition table). Only
 * headers and footers are read, so a 100 GiB image is inspected in milliseconds.
 */
public final class DiskImageInspector {

    private static final int MAX_DESCRIPTOR_BYTES = 16 << 20;

    private DiskImageInspector() {
    }

    /**
     * Inspects {@code path}.
     *
     * @throws ImageException when the file is missing, unreadable, not a disk image ferry recognises,
     *     or too damaged to say what it holds; the message names the file and the way out
     */
    public static InspectedImage inspect(Path path) {
        String where = path.toString();
        if (!Files.exists(path)) {
            throw new ImageException("disk image " + where + " does not exist: check disk_image (it is relative to the migration file)");
        }
        if (!Files.isRegularFile(path)) {
            throw new ImageException("disk image " + where + " is not a regular file (a directory?): point disk_image at the exported file");
        }
        try (ImageFile file = new ImageFile(path)) {
            InspectedImage image = recognise(file, where);
            return withExtensionCheck(image);
        } catch (NoSuchFileException e) {
            throw new ImageException("disk image " + where + " does not exist: check disk_image (it is relative to the migration file)", e);
        } catch (AccessDeniedException e) {
            throw new ImageException("disk image " + where + " cannot be read: permission denied; give the user running ferry read access", e);
        } catch (IOException e) {
            throw new ImageException("disk image " + where + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static InspectedImage recognise(ImageFile file, String where) throws IOException {
        long size = file.size();
        if (size == 0) {
            throw new ImageException(where + " is empty: not a disk image ferry recognises (an export that never finished?)");
        }
        if (file.startsWith(0, Vhdx.SIGNATURE)) {
            long capacity = Vhdx.capacity(file, where);
            return image(file, DiskImageFormat.VHDX, "dynamic", OptionalLong.of(capacity), List.of(), List.of());
        }
        if (file.startsWith(0, "KDMV")) {
            Vmdk.Info info = Vmdk.sparse(file, 0, size, where);
            return image(file, DiskImageFormat.VMDK, info.createType(), OptionalLong.of(info.capacityBytes()), info.problems(), info.warnings());
        }
        if (file.startsWith(0, Vhd.COOKIE) || (size >= Vhd.FOOTER && file.startsWith(size - Vhd.FOOTER, Vhd.COOKIE))) {
            Vhd.Info info = Vhd.inspect(file, where);
            return image(file, DiskImageFormat.VHD, info.variant(), OptionalLong.of(info.capacityBytes()), info.problems(), info.warnings());
        }
        if (TarIndex.looksLikeTar(file)) {
            return ova(file, where);
        }
        byte[] head = file.bytes(0, (int) Math.min(size, 4096));
        if (Vmdk.looksLikeDescriptor(head)) {
            Vmdk.Info info = Vmdk.descriptor(file, where);
            return image(file, DiskImageFormat.VMDK, info.createType(), OptionalLong.of(info.capacityBytes()), info.problems(), info.warnings());
        }
        refuseKnownOthers(file, head, where);
        boolean gpt = file.startsWith(512, "EFI PART") || file.startsWith(4096, "EFI PART");
        boolean mbr = head.length >= 512 && (head[510] & 0xFF) == 0x55 && (head[511] & 0xFF) == 0xAA;
        if (gpt || mbr) {
            return image(file, DiskImageFormat.RAW, gpt ? "GPT" : "MBR", OptionalLong.of(size), List.of(), List.of());
        }
        throw new ImageException(where + " is not a disk image ferry recognises: it is no OVA, VMDK, VHD or VHDX, and as a raw disk "
                + "it has neither an MBR nor a GPT partition table; export the VM from vCenter as an OVA (File > Export OVF Template)");
    }

    /** Formats that are disk images, but ones AWS cannot import: say so instead of "unrecognised". */
    private static void refuseKnownOthers(ImageFile file, byte[] head, String where) throws IOException {
        String convert = "; convert it with 'qemu-img convert -O vmdk -o subformat=streamOptimized' or export the VM as an OVA";
        if (file.startsWith(0, "QFI\u00fb")) {
            throw new ImageException(where + " is a QCOW2 image, which AWS VM Import does not accept" + convert);
        }
        ByteBuffer vdi = file.read(0x40, 4);
        if (vdi.remaining() == 4 && vdi.getInt(0) == 0xbeda107f) {
            throw new ImageException(where + " is a VirtualBox VDI image, which AWS VM Import does not accept" + convert);
        }
        String start = new String(head, 0, Math.min(head.length, 256), java.nio.charset.StandardCharsets.ISO_8859_1).stripLeading();
        if (start.startsWith("\uFEFF")) {
            start = start.substring(1);
        }
        if (start.startsWith("<?xml") || start.startsWith("<Envelope") || start.startsWith("<ovf:Envelope")) {
            throw new ImageException(where + " is an XML file (an OVF descriptor?), not a disk image: point disk_image at the OVA, "
                    + "or package the OVF and its disks into one with 'tar -cf vm.ova vm.ovf vm-disk1.vmdk' (the .ovf first)");
        }
    }

    private static InspectedImage ova(ImageFile file, String where) throws IOException {
        List<TarIndex.Member> members = TarIndex.read(file, where);
        if (members.isEmpty() || !members.get(0).name().toLowerCase(java.util.Locale.ROOT).endsWith(".ovf")) {
            String first = members.isEmpty() ? "nothing" : "'" + members.get(0).name() + "'";
            throw new ImageException(where + " is a tar archive whose first member is " + first + ", not an .ovf descriptor: not an OVA; "
                    + "an OVA must start with its OVF descriptor");
        }
        TarIndex.Member ovfMember = members.get(0);
        if (ovfMember.size() > MAX_DESCRIPTOR_BYTES) {
            throw new ImageException(where + ": its OVF descriptor '" + ovfMember.name() + "' is " + ovfMember.size()
                    + " bytes long, too long for a descriptor: the file is corrupt");
        }
        String descriptorWhere = "OVF descriptor '" + ovfMember.name() + "' in " + where;
        OvfDescriptor descriptor = OvfParser.parse(file.bytes(ovfMember.offset(), (int) ovfMember.size()), descriptorWhere);
        Map<String, TarIndex.Member> byName = members.stream()
                .collect(Collectors.toMap(TarIndex.Member::name, Function.identity(), (a, b) -> a));

        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<InspectedImage.ApplianceDisk> disks = new ArrayList<>();
        if (descriptor.disks().isEmpty()) {
            problems.add(where + ": its OVF descriptor lists no disks, so there is nothing to import");
        }
        long capacity = 0;
        for (OvfDescriptor.Disk disk : descriptor.disks()) {
            capacity += disk.capacityBytes();
            if (disk.fileRef().isEmpty()) {
                problems.add(where + ": disk '" + disk.diskId() + "' has no file (an empty disk to be created on deployment); "
                        + "AWS VM Import needs every disk's content in the OVA");
                continue;
            }
            Optional<OvfDescriptor.FileReference> reference = descriptor.file(disk.fileRef().get());
            if (reference.isEmpty()) {
                problems.add(where + ": disk '" + disk.diskId() + "' refers to file '" + disk.fileRef().get()
                        + "', which the descriptor's References section does not list: the descriptor is corrupt");
                continue;
            }
            OvfDescriptor.FileReference fileReference = reference.get();
            if (fileReference.compression().isPresent() || fileReference.chunkSize().isPresent()) {
                problems.add(where + ": disk file '" + fileReference.href() + "' is " + (fileReference.compression().isPresent()
                        ? fileReference.compression().get() + "-compressed" : "split into chunks")
                        + ", which AWS VM Import does not accept: export the OVA again without compression or chunking");
                continue;
            }
            TarIndex.Member member = byName.get(fileReference.href());
            if (member == null) {
                problems.add(where + ": disk '" + disk.diskId() + "' is in file '" + fileReference.href()
                        + "', which the archive does not contain: the OVA is incomplete (an interrupted export?)");
                continue;
            }
            if (fileReference.size().isPresent() && fileReference.size().getAsLong() != member.size()) {
                problems.add(where + ": disk file '" + member.name() + "' is " + member.size() + " bytes, but the descriptor says "
                        + fileReference.size().getAsLong() + ": the OVA is damaged");
                continue;
            }
            String diskWhere = "disk file '" + member.name() + "' in " + where;
            if (!file.startsWith(member.offset(), "KDMV")) {
                problems.add(diskWhere + " is not a VMDK sparse extent; AWS VM Import takes OVAs whose disks are stream-optimized VMDKs");
                continue;
            }
            Vmdk.Info info = Vmdk.sparse(file, member.offset(), member.size(), diskWhere);
            problems.addAll(info.problems());
            warnings.addAll(info.warnings());
            if (!info.streamOptimized()) {
                warnings.add(diskWhere + " is a " + info.createType() + " VMDK; AWS VM Import documents stream-optimized VMDKs in OVAs");
            }
            if (info.capacityBytes() != disk.capacityBytes()) {
                warnings.add(diskWhere + " holds a disk of " + info.capacityBytes() + " bytes, but the descriptor gives disk '"
                        + disk.diskId() + "' a capacity of " + disk.capacityBytes() + " bytes");
            }
            disks.add(new InspectedImage.ApplianceDisk(disk.diskId(), member.name(), member.size(), disk.capacityBytes(),
                    DiskImageFormat.VMDK, info.createType()));
        }
        InspectedImage.Appliance appliance = new InspectedImage.Appliance(ovfMember.name(), descriptor, disks);
        return new InspectedImage(file.path(), DiskImageFormat.OVA, "appliance", file.size(),
                OptionalLong.of(capacity), Optional.of(appliance), problems, warnings);
    }

    private static InspectedImage image(ImageFile file, DiskImageFormat format, String variant, OptionalLong capacity,
                                        List<String> problems, List<String> warnings) {
        return new InspectedImage(file.path(), format, variant, file.size(), capacity, Optional.empty(), problems, warnings);
    }

    private static InspectedImage withExtensionCheck(InspectedImage image) {
        Path name = image.path().getFileName();
        Optional<DiskImageFormat> promised = name == null ? Optional.empty() : DiskImageFormat.promisedBy(name.toString());
        if (promised.isEmpty() || promised.get() == image.format()) {
            return image;
        }
        List<String> warnings = new ArrayList<>(image.warnings());
        warnings.add(name + " is named like a " + promised.get().displayName() + " file but holds a " + image.describe()
                + "; ferry goes by the content and imports it as " + image.format().id() + " (rename the file to avoid confusion)");
        return new InspectedImage(image.path(), image.format(), image.variant(), image.fileBytes(), image.capacityBytes(),
                image.appliance(), image.problems(), warnings);
    }
}
