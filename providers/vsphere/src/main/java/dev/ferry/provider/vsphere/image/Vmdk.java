package dev.ferry.provider.vsphere.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VMware's VMDK, after the "Virtual Disk Format 5.0" specification: a sparse extent starts with a
 * 512-byte little-endian header (magic {@code KDMV}) and embeds a text descriptor whose
 * {@code createType} names the layout; a flat VMDK is only that descriptor, its data in other files.
 */
final class Vmdk {

    static final String STREAM_OPTIMIZED = "streamOptimized";
    static final String MONOLITHIC_SPARSE = "monolithicSparse";

    static final int MAGIC = 0x564d444b; // "KDMV" read little-endian
    static final int SECTOR = 512;
    static final long FLAG_COMPRESSED = 1L << 16;
    static final long FLAG_MARKERS = 1L << 17;
    static final long GD_AT_END = -1L;

    private static final Pattern CREATE_TYPE = Pattern.compile("(?m)^\\s*createType\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern EXTENT = Pattern.compile("(?m)^\\s*(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+(\\w+)(?:\\s+\"([^\"]*)\")?");
    private static final long MAX_DESCRIPTOR = 1 << 20;

    /** What a VMDK's header and descriptor say. {@code problems} make it unusable; {@code warnings} do not. */
    record Info(String createType, long capacityBytes, boolean compressed, List<String> extents, List<String> problems,
                List<String> warnings) {
        Info {
            extents = List.copyOf(extents);
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }

        boolean streamOptimized() {
            return createType.equals(STREAM_OPTIMIZED);
        }
    }

    private Vmdk() {
    }

    /**
     * Reads the sparse extent that occupies {@code [base, base + length)} of {@code file} (the whole
     * file, or a member of an OVA). {@code where} names it in messages.
     */
    static Info sparse(ImageFile file, long base, long length, String where) throws IOException {
        ByteBuffer header = file.read(base, SECTOR);
        if (header.remaining() < SECTOR || header.getInt(0) != MAGIC) {
            throw new ImageException(where + " does not start with a VMDK sparse extent header (magic KDMV)");
        }
        int version = header.getInt(4);
        long flags = Integer.toUnsignedLong(header.getInt(8));
        long capacitySectors = header.getLong(12);
        long grainSectors = header.getLong(20);
        long descriptorOffset = header.getLong(28);
        long descriptorSectors = header.getLong(36);
        if (version < 1 || version > 3) {
            throw new ImageException(where + " is a VMDK of version " + version + ", which ferry does not know (1 to 3)");
        }
        if (capacitySectors <= 0 || capacitySectors > Long.MAX_VALUE / SECTOR) {
            throw new ImageException(where + " is a VMDK whose header gives an impossible capacity (" + capacitySectors + " sectors): the file is corrupt");
        }
        if (grainSectors < 8 || Long.bitCount(grainSectors) != 1) {
            throw new ImageException(where + " is a VMDK whose header gives an impossible grain size (" + grainSectors + " sectors): the file is corrupt");
        }
        boolean compressed = (flags & FLAG_COMPRESSED) != 0;
        boolean markers = (flags & FLAG_MARKERS) != 0;

        String descriptor = "";
        if (descriptorOffset > 0 && descriptorSectors > 0) {
            long bytes = descriptorSectors * SECTOR;
            if (bytes > MAX_DESCRIPTOR || descriptorOffset > (length - bytes) / SECTOR) {
                throw new ImageException(where + " is a VMDK whose embedded descriptor lies outside the file: the file is corrupt or truncated");
            }
            descriptor = text(file.bytes(base + descriptorOffset * SECTOR, (int) bytes));
        }
        Optional<String> declared = createType(descriptor);
        String createType = declared.orElse(compressed && markers ? STREAM_OPTIMIZED : MONOLITHIC_SPARSE);

        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (createType.equals(STREAM_OPTIMIZED)) {
            if (!compressed || !markers) {
                problems.add(where + " declares createType=\"streamOptimized\" but its header lacks the compressed-grain and marker flags: the file is corrupt");
            } else {
                truncation(file, base, length, header.getLong(56)).ifPresent(what -> problems.add(where
                        + " is a stream-optimized VMDK that " + what + ": the file is truncated (an interrupted export or copy?); export it again"));
            }
        } else if (!createType.equals(MONOLITHIC_SPARSE)) {
            warnings.add(where + " is a VMDK of createType \"" + createType + "\"");
        }
        return new Info(createType, capacitySectors * SECTOR, compressed, List.of(), problems, warnings);
    }

    /** Whether a text file is a VMDK descriptor ({@code # Disk DescriptorFile}, or a createType line). */
    static boolean looksLikeDescriptor(byte[] head) {
        String text = text(head);
        return text.startsWith("# Disk DescriptorFile") || (text.contains("createType") && text.contains("version=") && printable(head));
    }

    /** A descriptor-only VMDK: its layout and the extent files that hold its data. */
    static Info descriptor(ImageFile file, String where) throws IOException {
        if (file.size() > MAX_DESCRIPTOR) {
            throw new ImageException(where + " starts like a VMDK descriptor but is " + file.size() + " bytes long: the file is corrupt");
        }
        String text = text(file.bytes(0, (int) file.size()));
        String createType = createType(text).orElse("unknown");
        List<String> extents = new ArrayList<>();
        long sectors = 0;
        Matcher matcher = EXTENT.matcher(text);
        while (matcher.find()) {
            sectors += Long.parseLong(matcher.group(2));
            if (matcher.group(4) != null) {
                extents.add(matcher.group(4));
            }
        }
        String files = extents.isEmpty() ? "other files" : String.join(", ", extents);
        List<String> problems = List.of(where + " is a VMDK descriptor (createType \"" + createType + "\") whose data lives in " + files
                + ", not in this file: point disk_image at an OVA or a stream-optimized VMDK exported from vCenter"
                + (createType.toLowerCase().contains("flat") && extents.size() == 1 ? ", or at the raw extent " + extents.get(0) : ""));
        return new Info(createType, sectors * SECTOR, false, extents, problems, List.of());
    }

    /**
     * A stream-optimized extent ends with an end-of-stream marker (a zero sector); when its header
     * defers the grain directory to the end ({@code gdOffset = GD_AT_END}), a footer marker and a
     * footer (a second header) come just before it.
     */
    private static Optional<String> truncation(ImageFile file, long base, long length, long gdOffset) throws IOException {
        if (length < 2L * SECTOR) {
            return Optional.of("ends right after its header");
        }
        ByteBuffer last = file.read(base + length - SECTOR, SECTOR);
        for (int i = 0; i < SECTOR; i++) {
            if (last.get(i) != 0) {
                return Optional.of("does not end with an end-of-stream marker");
            }
        }
        if (gdOffset == GD_AT_END) {
            ByteBuffer tail = file.read(base + length - 3L * SECTOR, 2 * SECTOR);
            boolean footerMarker = tail.remaining() == 2 * SECTOR && tail.getLong(0) == 1 && tail.getInt(8) == 0 && tail.getInt(12) == 3;
            if (!footerMarker || tail.getInt(SECTOR) != MAGIC) {
                return Optional.of("does not end with the footer its header promises");
            }
        } else if (gdOffset <= 0 || gdOffset > (length - SECTOR) / SECTOR) {
            return Optional.of("has its grain directory at sector " + gdOffset + ", beyond its end");
        }
        return Optional.empty();
    }

    private static Optional<String> createType(String descriptor) {
        Matcher matcher = CREATE_TYPE.matcher(descriptor);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static String text(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static boolean printable(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
            if (b < 0x09 || (b > 0x0d && b < 0x20)) {
                return false;
            }
        }
        return true;
    }
}
