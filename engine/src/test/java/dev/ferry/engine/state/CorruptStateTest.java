package dev.ferry.engine.state;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptStateTest {

    @TempDir
    Path dir;

    @Test
    void aStateThatCannotBeReadPointsToTheBackupBesideIt() throws Exception {
        Path state = dir.resolve("state.json");
        Files.writeString(state, "{ \"lineage\": ");
        Files.writeString(dir.resolve("state.json.backup"), "{}");

        assertThatThrownBy(() -> new FileStateStore(state).read())
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("is not valid ferry state")
                .hasMessageContaining("is in " + dir.resolve("state.json.backup"))
                .hasMessageContaining("copy it over state.json");
    }
}
