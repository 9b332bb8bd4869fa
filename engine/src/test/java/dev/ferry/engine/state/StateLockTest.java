package dev.ferry.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateLockTest {

    @TempDir
    Path dir;

    @Test
    void theLockFileAppearsWholeAndPrivateWithNothingElseLeftBeside() throws Exception {
        Path path = dir.resolve(".ferry/state.lock");
        try (StateLock lock = StateLock.acquire(path, "apply")) {
            assertThat(StateLock.read(path)).contains(lock.info());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
            try (Stream<Path> files = Files.list(path.getParent())) {
                assertThat(files).containsExactly(path);
            }
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void aSecondRunIsRefusedNamingTheHolder() {
        Path path = dir.resolve("state.lock");
        try (StateLock lock = StateLock.acquire(path, "apply")) {
            assertThatThrownBy(() -> StateLock.acquire(path, "plan"))
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("ferry force-unlock " + lock.info().id());
        }
    }
}
