package dev.ferry.provider.vsphere.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Microsoft's VHDX ("VHDX Format Specification" v1.00): the file type identifier {@code vhdxfile} at
 * offset 0; the region table at 192 KiB (CRC-32C protected) points at the metadata region, whose
 * Virtual Disk Size item gives the disk's capacity.
 */
final class Vhdx {

    static final String SIGNATURE = "vhdxfile";
    static final long REGION_TABLE = 192 * 1024;
    static final int REGION_TABLE_SIZE = 64 * 1024;
    /** {8B7CA206-4790-4B9A-B8FE-575F050F886E} */
    static final byte[] METADATA_REGION = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    /** {2FA54224-CD1B-4876-B211-5DBED83BF4B8} */
    static final byte[] VIRTUAL_DISK_SIZE = guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8");

    private Vhdx() {
    }

    /** The virtual size of the VHDX {@code file}. */
    static long capacity(ImageFile file, String where) throws IOException {
        ByteBuffer table = file.read(REGION_TABLE, REGION_TABLE_SIZE);
        if (table.remaining() < REGION_TABLE_SIZE) {
            throw new ImageException(where + " starts like a VHDX but ends before its region table: the file is truncated");
        }
        if (table.getInt(0) != 0x69676572 /* "regi" */ || !checksumMatches(table)) {
            throw new ImageException(where + " starts like a VHDX but its region table is damaged: the file is corrupt");
        }
        int entries = table.getInt(8);
        if (entries < 0 || entries > 2047) {
            throw new ImageException(where + " is a VHDX whose region table lists " + entries + " regions: the file is corrupt");
        }
        for (int i = 0; i < entries; i++) {
            int at = 16 + i * 32;
            if (matches(table, at, METADATA_REGION)) {
                return virtualDiskSize(file, table.getLong(at + 16), table.getInt(at + 24), where);
            }
        }
        throw new ImageException(where + " is a VHDX without a metadata region: the file is corrupt");
    }

    private static long virtualDiskSize(ImageFile file, long regionOffset, int regionLength, String where) throws IOException {
        ByteBuffer metadata = file.read(regionOffset, Math.min(regionLength, 64 * 1024));
        if (metadata.remaining() < 32 || metadata.getLong(0) != 0x617461646174656dL /* "metadata" */) {
            throw new ImageException(where + " is a VHDX whose metadata table is missing or damaged: the file is corrupt or truncated");
        }
        int entries = Short.toUnsignedInt(metadata.getShort(10));
        for (int i = 0; i < entries && 32 + (i + 1) * 32 <= metadata.remaining(); i++) {
            int at = 32 + i * 32;
            if (matches(metadata, at, VIRTUAL_DISK_SIZE)) {
                long itemOffset = Integer.toUnsignedLong(metadata.getInt(at + 16));
                ByteBuffer value = file.read(regionOffset + itemOffset, 8);
                if (value.remaining() == 8) {
                    return value.getLong(0);
                }
            }
        }
        throw new ImageException(where + " is a VHDX whose metadata does not give its virtual size: the file is corrupt or truncated");
    }

    static boolean checksumMatches(ByteBuffer table) {
        return table.getInt(4) == crc(table);
    }

    /** CRC-32C of the 64 KiB table with its checksum field taken as zero. */
    static int crc(ByteBuffer table) {
        byte[] copy = new byte[REGION_TABLE_SIZE];
        table.duplicate().position(0).get(copy);
        copy[4] = copy[5] = copy[6] = copy[7] = 0;
        CRC32C crc = new CRC32C();
        crc.update(copy);
        return (int) crc.getValue();
    }

    private static boolean matches(ByteBuffer buffer, int at, byte[] guid) {
        for (int i = 0; i < guid.length; i++) {
            if (buffer.get(at + i) != guid[i]) {
                return false;
            }
        }
        return true;
    }

    /** A GUID as Microsoft stores it: the first three fields little-endian, the rest as written. */
    static byte[] guid(String text) {
        String hex = text.replace("-", "");
        byte[] plain = new byte[16];
        for (int i = 0; i < 16; i++) {
            plain[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new byte[] {plain[3], plain[2], plain[1], plain[0], plain[5], plain[4], plain[7], plain[6],
            plain[8], plain[9], plain[10], plain[11], plain[12], plain[13], plain[14], plain[15]};
    }
}
