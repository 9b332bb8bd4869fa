package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Disk image containers as VM Import/Export reads and writes them: RAW, VHD (fixed and dynamic),
 * VMDK (monolithic sparse and stream-optimized) and OVA (a tar holding an OVF descriptor and a VMDK).
 * Writing wraps the raw bytes without copying them; reading finds the raw bytes inside.
 */
public final class DiskFormats {

    static final int SECTOR = 512;

    private final BlobStore store;
    private final VmdkFormat vmdk;
    private final OvaFormat ova;

    public DiskFormats(BlobStore store) {
        this.store = requireNonNull(store, "store is null");
        this.vmdk = new VmdkFormat(store);
        this.ova = new OvaFormat(store, this);
    }

    /** What {@link #detect} found: a container format, and the reason it cannot be used, if any. */
    public record Detected(String format, String problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    /**
     * The raw disk in {@code format} ({@code raw}, {@code vhd}, {@code vmdk}) or, with container
     * {@code ova}, a VMDK inside an OVA named after {@code name}.
     */
    public Blob wrap(Blob raw, String format, String container, String name) {
        String f = format.toLowerCase(Locale.ROOT);
        Blob disk = switch (f) {
            case "raw" -> raw;
            case "vhd" -> Blob.concat(List.of(raw, store.writeSmall(VhdFormat.vhdFooter(raw.size(), name))));
            case "vmdk" -> vmdk.vmdk(raw, name);
            default -> throw new IllegalArgumentException("unsupported disk image format " + format);
        };
        if (container != null && container.equalsIgnoreCase("ova")) {
            return ova.ova(disk, name);
        }
        return disk;
    }

    /** Recognises the container by its magic numbers. */
    public Detected detect(Blob blob) {
        long size = blob.size();
        if (size < SECTOR) {
            return new Detected("unknown", "ClientError: Unsupported file format: the disk image is too small");
        }
        byte[] head = blob.read(0, 1024);
        String magic = new String(head, 0, 8, StandardCharsets.ISO_8859_1);
        if (magic.startsWith("KDMV")) {
            return new Detected("VMDK", null);
        }
        if (magic.startsWith("# Disk D")) {
            return new Detected("VMDK", "ClientError: Unsupported VMDK File Format: a descriptor file without its "
                    + "extent (use a monolithic sparse or stream-optimized VMDK)");
        }
        if (magic.startsWith("vhdxfile")) {
            return new Detected("VHDX", "ClientError: Unsupported file format: VHDX is not supported by the sandbox");
        }
        if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return new Detected("OVA", null);
        }
        byte[] tail = blob.read(size - SECTOR, SECTOR);
        if (new String(tail, 0, 8, StandardCharsets.ISO_8859_1).equals("conectix") || magic.equals("conectix")) {
            return new Detected("VHD", null);
        }
        if ((head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xAA
                || head.length >= 520 && new String(head, 512, 8, StandardCharsets.ISO_8859_1).equals("EFI PART")) {
            return new Detected("RAW", null);
        }
        return new Detected("unknown", "ClientError: Unsupported file format");
    }

    /**
     * The raw disk inside a container of {@code format} (as {@link #detect} names it).
     *
     * @throws IllegalArgumentException with an import-style {@code ClientError: ...} message when the
     *                                  container cannot be read
     */
    public Blob extractRaw(Blob container, String format) {
        try {
            return switch (format) {
                case "RAW" -> container;
                case "VHD" -> VhdFormat.vhdRaw(container);
                case "VMDK" -> vmdk.vmdkRaw(container);
                case "OVA" -> ova.ovaRaw(container);
                default -> throw new IllegalArgumentException("ClientError: Unsupported file format");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /** Whether a raw disk looks bootable: an MBR with a partition, or a GPT. */
    public static boolean looksPartitioned(Blob raw) {
        if (raw.size() < 1024) {
            return false;
        }
        byte[] head = raw.read(0, 1024);
        boolean mbr = (head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xAA && head[446 + 4] != 0;
        boolean gpt = new String(head, 512, 8, StandardCharsets.ISO_8859_1).equals("EFI PART");
        return mbr || gpt;
    }
}