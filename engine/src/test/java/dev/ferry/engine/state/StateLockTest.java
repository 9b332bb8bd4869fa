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
    void aLockReleasedWhileAnotherRunTriesItIsTakenOrNamesItsHolder_neverCalledUnreadable() throws Exception {
        Path path = dir.resolve("state.lock");
        java.util.List<String> refusals = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        Runnable contender = () -> {
            for (int i = 0; i < 400; i++) {
                try (StateLock lock = StateLock.acquire(path, "apply")) {
                    taken.incrementAndGet();
                } catch (StateLock.Held e) {
                    refusals.add(e.getMessage());
                } catch (RuntimeException e) {
                    refusals.add(e.toString()); // fails the test below: a contender must never fail otherwise
                }
            }
        };
        Thread[] threads = {new Thread(contender), new Thread(contender), new Thread(contender)};
        for (Thread thread : threads) {
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(taken.get()).isPositive();
        assertThat(refusals).allSatisfy(message -> assertThat(message).startsWith("the state is locked by "));
        assertThat(path).doesNotExist();
    }

    @Test
    void aWholeStateLockTakenWhileAShardLooksIsReadAsItsHolder_neverCalledUnreadable() throws Exception {
        Path path = dir.resolve("state.lock");
        java.util.List<String> refusals = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread whole = new Thread(() -> {
            while (!done.get()) {
                try (StateLock lock = StateLock.acquire(path, "moving to parts", LockScope.WHOLE)) {
                    Thread.onSpinWait();
                } catch (StateLock.Held e) {
                    // a shard holds its lock: the whole-state run is refused, as it should be
                } catch (RuntimeException e) {
                    refusals.add(e.toString());
                }
            }
        });
        whole.start();
        int taken = 0;
        for (int i = 0; i < 3000; i++) {
            try (StateLock lock = StateLock.acquire(path, "apply", LockScope.shard(0, 2))) {
                taken++;
            } catch (StateLock.Held e) {
                refusals.add(e.getMessage());
            }
        }
        done.set(true);
        whole.join();
        assertThat(taken).isPositive();
        assertThat(refusals).allSatisfy(message -> assertThat(message).startsWith("the state is locked by ")
                .doesNotContain("unreadable"));
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

    @Test
    void forceUnlockOfALockFileThatCannotBeReadSaysItIsThere_notThatTheStateIsUnlocked() throws Exception {
        Path path = dir.resolve("state.lock");
        Files.writeString(path, "{ half written");

        assertThatThrownBy(() -> StateLock.forceUnlock(path, "0b4c"))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("the lock " + path + " is there but cannot be read")
                .hasMessageContaining("If no ferry is running, delete that file")
                .hasMessageNotContaining("not locked");
        assertThat(path).exists();
    }

    @Test
    void aLockThatHadToMakeItsDirectoryRemovesItAgainWhenNothingElseWentIn() throws Exception {
        Path path = dir.resolve(".ferry/state.lock");
        try (StateLock lock = StateLock.acquire(path, "plan")) {
            assertThat(path.getParent()).isDirectory();
        }
        assertThat(dir.resolve(".ferry")).doesNotExist();

        try (StateLock lock = StateLock.acquire(path, "apply")) {
            Files.writeString(dir.resolve(".ferry/state.json"), "{}");
        }
        assertThat(dir.resolve(".ferry/state.json")).exists();
        assertThat(path).doesNotExist();
    }

    @Test
    void aProcessStoppedWithSigtermReleasesItsLock() throws Exception {
        Path path = dir.resolve(".ferry/state.lock");
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), path.toString())
                .redirectErrorStream(true).start();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).isEqualTo("locked");
            assertThat(path).exists();

            holder.destroy(); // SIGTERM
            holder.waitFor();
        }
        assertThat(path).doesNotExist();
    }

    /** Holds a lock until it is stopped (for the SIGTERM test). */
    public static final class LockHolder {
        public static void main(String[] args) throws InterruptedException {
            StateLock.acquire(Path.of(args[0]), "plan");
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
