package dev.ferry.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local lock scopes: shards of one count hold their locks at once; the whole state and other counts exclude them. */
class ShardLockTest {

    @TempDir
    Path dir;

    Path lockFile() {
        return dir.resolve(".ferry/web/state.lock");
    }

    Path shardLock(int index, int count) {
        return dir.resolve(".ferry/web/state.lock.d/shard-" + index + "-of-" + count + ".lock");
    }

    @Test
    void shardsOfOneCountHoldTheirLocksAtOnceAndTheSameShardTwiceIsRefusedNamingTheHolder() {
        try (StateLock zero = StateLock.acquire(lockFile(), "apply", LockScope.shard(0, 4));
             StateLock one = StateLock.acquire(lockFile(), "apply", LockScope.shard(1, 4))) {
            assertThat(StateLock.read(shardLock(0, 4))).contains(zero.info());
            assertThat(StateLock.read(shardLock(1, 4))).contains(one.info());
            assertThatThrownBy(() -> StateLock.acquire(lockFile(), "apply", LockScope.shard(1, 4)))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("ferry force-unlock " + one.info().id());
            assertThat(StateLock.read(shardLock(1, 4))).as("the refused run left the holder's lock alone").contains(one.info());
        }
        assertThat(dir.resolve(".ferry/web/state.lock.d")).as("the last shard to leave removes the folder of shard locks").doesNotExist();
    }

    @Test
    void aRunOverTheWholeStateIsRefusedWhileShardsRunNamingEachAndLeavesNoLockOfItsOwn() {
        try (StateLock zero = StateLock.acquire(lockFile(), "apply", LockScope.shard(0, 4));
             StateLock three = StateLock.acquire(lockFile(), "apply", LockScope.shard(3, 4))) {
            assertThatThrownBy(() -> StateLock.acquire(lockFile(), "apply", LockScope.WHOLE))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("2 shard runs")
                    .hasMessageContaining("shard 0/4 by " + zero.info().holder())
                    .hasMessageContaining("lock id " + zero.info().id())
                    .hasMessageContaining("shard 3/4 by")
                    .hasMessageContaining("lock id " + three.info().id());
            assertThat(lockFile()).doesNotExist();
        }
        try (StateLock whole = StateLock.acquire(lockFile(), "apply", LockScope.WHOLE)) {
            assertThat(StateLock.read(lockFile())).contains(whole.info());
        }
    }

    @Test
    void aShardIsRefusedWhileTheWholeStateIsLockedAndWhileShardsOfAnotherCountRun() {
        try (StateLock whole = StateLock.acquire(lockFile(), "apply", LockScope.WHOLE)) {
            assertThatThrownBy(() -> StateLock.acquire(lockFile(), "apply", LockScope.shard(2, 4)))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("ferry force-unlock " + whole.info().id());
            assertThat(shardLock(2, 4)).doesNotExist();
        }
        try (StateLock ofFour = StateLock.acquire(lockFile(), "apply", LockScope.shard(2, 4))) {
            assertThatThrownBy(() -> StateLock.acquire(lockFile(), "apply", LockScope.shard(0, 3)))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("shards of another count: shard 2/4 by")
                    .hasMessageContaining("lock id " + ofFour.info().id());
            assertThat(shardLock(0, 3)).doesNotExist();
        }
    }

    @Test
    void aShardLockLeftByAProcessGoneFromThisMachineIsTakenOverByItsShardAndRemovedByTheWholeRun() throws Exception {
        StateLock.Info dead = deadHolder();
        Files.createDirectories(shardLock(1, 4).getParent());
        Files.write(shardLock(1, 4), StateCodec.MAPPER.writeValueAsBytes(dead));
        try (StateLock again = StateLock.acquire(lockFile(), "apply", LockScope.shard(1, 4))) {
            assertThat(again.takenOver()).contains(dead);
            assertThat(StateLock.read(shardLock(1, 4))).contains(again.info());
        }

        Files.createDirectories(shardLock(1, 4).getParent());
        Files.write(shardLock(1, 4), StateCodec.MAPPER.writeValueAsBytes(dead));
        try (StateLock whole = StateLock.acquire(lockFile(), "apply", LockScope.WHOLE)) {
            assertThat(shardLock(1, 4)).doesNotExist();
        }
    }

    @Test
    void forceUnlockFindsAShardLockByItsIdAndNamesTheLocksThereAreForAnotherId() {
        StateLock two = StateLock.acquire(lockFile(), "apply", LockScope.shard(2, 4));
        try {
            assertThatThrownBy(() -> StateLock.forceUnlockAny(lockFile(), "not-an-id"))
                    .hasMessageContaining("no lock of the state has the id not-an-id")
                    .hasMessageContaining(two.info().id() + " (shard 2/4");
            assertThat(StateLock.forceUnlockAny(lockFile(), two.info().id())).isEqualTo(two.info());
            assertThat(shardLock(2, 4)).doesNotExist();
            try (StateLock whole = StateLock.acquire(lockFile(), "apply", LockScope.WHOLE)) {
                assertThat(StateLock.forceUnlockAny(lockFile(), whole.info().id())).isEqualTo(whole.info());
            }
        } finally {
            two.close();
        }
    }

    /** A lock of this machine whose process has exited. */
    static StateLock.Info deadHolder() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        StateLock.Info mine = StateLock.mine("apply");
        return new StateLock.Info("0b4c-dead", mine.holder(), gone.pid(), mine.host(), "apply", mine.created(), Optional.empty());
    }
}
