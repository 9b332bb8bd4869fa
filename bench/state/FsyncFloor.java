import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** The least a durable atomic write of a small file costs on this disk: write, fsync, rename, fsync of the folder. */
public class FsyncFloor {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        long[] nanos = new long[300];
        byte[] bytes = new byte[3000];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            Path temporary = dir.resolve(".part.json.tmp-" + i);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Files.move(temporary, dir.resolve("part.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            }
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("floor, a bare 3 KB atomic durable write: median %.3f ms, p90 %.3f ms%n", nanos[150] / 1e6, nanos[270] / 1e6);
    }
}
