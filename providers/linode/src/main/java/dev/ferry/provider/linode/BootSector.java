package dev.ferry.provider.linode;

import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Whether a raw disk can boot by {@code linode/direct-disk}, which hands the machine to the disk's first sector as a
 * BIOS would: the sector must end in the 0x55AA signature and hold boot code, and a GPT disk must have a BIOS
 * boot partition (where GRUB keeps its core for BIOS); a GPT disk with only an EFI system partition boots by UEFI
 * alone.
 */
final class BootSector {

    private static final int SECTOR = 512;
    /** {@code 21686148-6449-6E6F-744E-656564454649} as GPT stores it (mixed-endian). */
    private static final byte[] BIOS_BOOT = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64,
        0x45, 0x46, 0x49};

    private BootSector() {
    }

    /** Why the disk cannot boot by direct disk, or empty when its first sectors say it can. */
    static Optional<String> problem(RangedByteSource disk) throws IOException {
        int want = (int) Math.min(disk.size(), 34L * SECTOR);
        byte[] head = read(disk, want);
        if (head.length < SECTOR || (head[510] & 0xff) != 0x55 || (head[511] & 0xff) != 0xAA) {
            return Optional.of("its first sector has no boot signature (0x55AA at byte 510): the disk has no BIOS boot loader");
        }
        boolean code = false;
        for (int i = 0; i < 440 && !code; i++) {
            code = head[i] != 0;
        }
        if (!code) {
            return Optional.of("its first sector holds no boot code (bytes 0–439 are zero): no BIOS boot loader is installed,"
                    + " so it boots by UEFI only");
        }
        boolean gpt = (head[446 + 4] & 0xff) == 0xEE;
        if (gpt && head.length >= 34 * SECTOR) {
            ByteBuffer header = ByteBuffer.wrap(head, SECTOR, SECTOR).order(ByteOrder.LITTLE_ENDIAN);
            long entriesLba = header.getLong(SECTOR + 72);
            int count = header.getInt(SECTOR + 80);
            int size = header.getInt(SECTOR + 84);
            if (entriesLba == 2 && size >= 128 && (long) count * size <= 32L * SECTOR) {
                for (int e = 0; e < count; e++) {
                    if (matches(head, (int) (2 * SECTOR + (long) e * size))) {
                        return Optional.empty();
                    }
                }
                return Optional.of("it is a GPT disk with no BIOS boot partition, which boots by UEFI only");
            }
        }
        return Optional.empty();
    }

    private static boolean matches(byte[] head, int at) {
        for (int i = 0; i < BIOS_BOOT.length; i++) {
            if (head[at + i] != BIOS_BOOT[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] read(RangedByteSource disk, int length) throws IOException {
        byte[] bytes = new byte[length];
        for (RangedByteSource.Extent extent : disk.writtenExtents()) {
            if (extent.offset() >= length) {
                break;
            }
            int from = (int) extent.offset();
            int to = (int) Math.min(length, extent.end());
            try (InputStream in = disk.openRange(from, to - from)) {
                in.readNBytes(bytes, from, to - from);
            }
        }
        return bytes;
    }
}
