package dev.ferry.sandbox.world;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

class DiskFormatsTest {

    private BlobStore store;
    private DiskFormats formats;
    private byte[] raw;
    private Blob rawBlob;

    @BeforeEach
    void setUp() throws IOException {
        store = new BlobStore(Files.createTempDirectory("formats-"), true);
        formats = new DiskFormats(store);
        raw = new byte[3 * 1024 * 1024];
        new Random(3).nextBytes(raw);
        Arrays.fill(raw, 1024 * 1024, 2 * 1024 * 1024, (byte) 0);
        raw[510] = 0x55;
        raw[511] = (byte) 0xAA;
        raw[446 + 4] = (byte) 0x83;
        rawBlob = store.writeSmall(raw);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static byte[] bytes(Blob blob) throws IOException {
        try (InputStream in = blob.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void aRawDiskIsRecognisedByItsPartitionTable() throws IOException {
        assertThat(formats.detect(rawBlob).format()).isEqualTo("RAW");
        assertThat(bytes(formats.extractRaw(rawBlob, "RAW"))).isEqualTo(raw);
        assertThat(DiskFormats.looksPartitioned(rawBlob)).isTrue();
    }

    @Test
    void vhdVmdkAndOvaWrapTheRawBytesAndGiveThemBack() throws IOException {
        for (String[] format : new String[][]{{"vhd", null, "VHD"}, {"vmdk", null, "VMDK"}, {"vmdk", "ova", "OVA"}}) {
            Blob wrapped = formats.wrap(rawBlob, format[0], format[1], "disk");
            DiskFormats.Detected detected = formats.detect(wrapped);
            assertThat(detected.format()).as(String.join("/", format[0], String.valueOf(format[1])))
                    .isEqualTo(format[2]);
            assertThat(detected.usable()).isTrue();
            assertThat(bytes(formats.extractRaw(wrapped, detected.format()))).isEqualTo(raw);
        }
    }

    @Test
    void theVhdFooterCarriesAValidChecksum() throws IOException {
        Blob vhd = formats.wrap(rawBlob, "vhd", null, "disk");
        byte[] footer = vhd.read(vhd.size() - 512, 512);
        assertThat(new String(footer, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("conectix");
        int stored = ByteBuffer.wrap(footer).order(ByteOrder.BIG_ENDIAN).getInt(64);
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            if (i < 64 || i >= 68) {
                sum += footer[i] & 0xff;
            }
        }
        assertThat(stored).isEqualTo(~sum);
        assertThat(ByteBuffer.wrap(footer).getLong(48)).isEqualTo(raw.length);
    }

    @Test
    void readsStreamOptimizedVmdksAsVmwareWritesThem() throws IOException {
        Blob vmdk = store.writeSmall(streamOptimized(raw));
        assertThat(formats.detect(vmdk).format()).isEqualTo("VMDK");
        assertThat(bytes(formats.extractRaw(vmdk, "VMDK"))).isEqualTo(raw);
    }

    @Test
    void garbageAndDescriptorOnlyVmdksAreUnusable() {
        byte[] garbage = "not a disk at all".repeat(100).getBytes(StandardCharsets.US_ASCII);
        DiskFormats.Detected unknown = formats.detect(store.writeSmall(garbage));
        assertThat(unknown.usable()).isFalse();
        assertThat(unknown.problem()).startsWith("ClientError: Unsupported file format");
        byte[] descriptor = ("# Disk DescriptorFile\nversion=1\n" + " ".repeat(600)).getBytes(StandardCharsets.US_ASCII);
        assertThat(formats.detect(store.writeSmall(descriptor)).problem()).contains("Unsupported VMDK");
    }

    /** A stream-optimized VMDK: compressed grains behind markers, then an end-of-stream marker. */
    private static byte[] streamOptimized(byte[] disk) {
        int grainBytes = 128 * 512;
        long capacity = disk.length / 512;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        header.put(0, "KDMV".getBytes(StandardCharsets.US_ASCII));
        header.putInt(4, 3);
        header.putInt(8, 1 | (1 << 16) | (1 << 17));
        header.putLong(12, capacity);
        header.putLong(20, 128);
        header.putLong(28, 1);
        header.putLong(36, 1);
        header.putInt(44, 512);
        header.putLong(56, -1);
        header.putLong(64, 2);
        header.putShort(77, (short) 1);
        out.writeBytes(header.array());
        out.writeBytes(new byte[512]);
        for (int grain = 0; grain * (long) grainBytes < disk.length; grain++) {
            byte[] data = Arrays.copyOfRange(disk, grain * grainBytes, Math.min(disk.length, (grain + 1) * grainBytes));
            if (allZero(data)) {
                continue;
            }
            Deflater deflater = new Deflater();
            deflater.setInput(data);
            deflater.finish();
            byte[] buffer = new byte[grainBytes * 2];
            int size = deflater.deflate(buffer);
            deflater.end();
            ByteBuffer marker = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            marker.putLong(0, (long) grain * 128);
            marker.putInt(8, size);
            out.writeBytes(marker.array());
            out.write(buffer, 0, size);
            int used = 12 + size;
            out.writeBytes(new byte[(512 - used % 512) % 512]);
        }
        ByteBuffer eos = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        out.writeBytes(eos.array());
        return out.toByteArray();
    }

    private static boolean allZero(byte[] data) {
        for (byte b : data) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

}
