package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.transfer.RangedByteSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class BootSectorTest {

    private static final byte[] BIOS_BOOT = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64,
        0x45, 0x46, 0x49};
    private static final byte[] ESP = {0x28, 0x73, 0x2a, (byte) 0xc1, 0x1f, (byte) 0xf8, (byte) 0xd2, 0x11, (byte) 0xba, 0x4b,
        0x00, (byte) 0xa0, (byte) 0xc9, 0x3e, (byte) 0xc9, 0x3b};

    static byte[] disk(boolean code, boolean signature, boolean gpt, boolean biosBoot) {
        byte[] disk = new byte[64 * 1024];
        if (code) {
            disk[0] = (byte) 0xEB;
            disk[1] = 0x63;
            disk[2] = (byte) 0x90;
        }
        if (signature) {
            disk[510] = 0x55;
            disk[511] = (byte) 0xAA;
        }
        if (gpt) {
            disk[446 + 4] = (byte) 0xEE;
            ByteBuffer header = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
            header.put(512, "EFI PART".getBytes());
            header.putLong(512 + 72, 2).putInt(512 + 80, 128).putInt(512 + 84, 128);
            System.arraycopy(ESP, 0, disk, 1024, 16);
            if (biosBoot) {
                System.arraycopy(BIOS_BOOT, 0, disk, 1024 + 128, 16);
            }
        }
        return disk;
    }

    static RangedByteSource source(byte[] bytes) {
        return new RangedByteSource() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream openRange(long offset, long length) {
                return new ByteArrayInputStream(bytes, (int) offset, (int) length);
            }

            @Override
            public String description() {
                return "test disk";
            }
        };
    }

    @Test
    void aBiosDiskAndAHybridGptDiskBoot() throws Exception {
        assertThat(BootSector.problem(source(disk(true, true, false, false)))).isEmpty();
        assertThat(BootSector.problem(source(disk(true, true, true, true)))).isEmpty();
    }

    @Test
    void aDiskWithoutSignatureBootCodeOrBiosBootPartitionDoesNot() throws Exception {
        assertThat(BootSector.problem(source(disk(true, false, false, false)))).get().asString().contains("0x55AA");
        assertThat(BootSector.problem(source(disk(false, true, false, false)))).get().asString().contains("no boot code");
        assertThat(BootSector.problem(source(disk(true, true, true, false)))).get().asString()
                .contains("GPT disk with no BIOS boot partition");
    }
}
