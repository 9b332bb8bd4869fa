package dev.ferry.provider.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileByteSourceTest {

    @TempDir
    Path dir;

    @Test
    void readsAnyRangeAndManyRangesAtOnce() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(content);
        Path path = Files.write(dir.resolve("disk.img"), content);
        RangedByteSource source = new FileArtifactOpener().open(image(path, content.length));

        assertThat(source.size()).isEqualTo(content.length);
        assertThat(source.description()).isEqualTo(path.toString());
        try (InputStream in = source.openRange(1000, 10)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 1010));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            int part = 256 * 1024;
            List<Future<byte[]>> parts = new ArrayList<>();
            for (long offset = 0; offset < content.length; offset += part) {
                long from = offset;
                long length = Math.min(part, content.length - offset);
                parts.add(pool.submit(() -> {
                    try (InputStream in = source.openRange(from, length)) {
                        return in.readAllBytes();
                    }
                }));
            }
            java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
            for (Future<byte[]> future : parts) {
                joined.write(future.get());
            }
            assertThat(joined.toByteArray()).isEqualTo(content);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRangeOutsideTheFileIsRefused() throws IOException {
        Path path = Files.write(dir.resolve("disk.img"), new byte[100]);
        RangedByteSource source = new FileByteSource(path, 100);

        assertThatThrownBy(() -> source.openRange(90, 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> source.openRange(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFileThatShrankWhileReadIsAnErrorNotAShortImage() throws IOException {
        Path path = Files.write(dir.resolve("disk.img"), new byte[8192]);
        RangedByteSource source = new FileByteSource(path, 8192);
        try (InputStream in = source.openRange(0, 8192)) {
            in.readNBytes(1000);
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(2000);
            }
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("changed while ferry read it");
        }
    }

    @Test
    void refusesAFileThatChangedSinceThePlan() throws IOException {
        Path path = Files.write(dir.resolve("disk.img"), new byte[4096]);

        assertThatThrownBy(() -> new FileArtifactOpener().open(image(path, 2048)))
                .isInstanceOf(FerryException.class).hasMessageContaining("changed since it was planned (2048 bytes then, 4096 now)");
        Files.delete(path);
        assertThatThrownBy(() -> new FileArtifactOpener().open(image(path, 4096)))
                .isInstanceOf(FerryException.class).hasMessageContaining("is gone");
    }

    private static DiskImage image(Path path, long size) {
        return new DiskImage("file", "raw", size, JsonNodeFactory.instance.objectNode().put("path", path.toString()), path.toString());
    }
}
