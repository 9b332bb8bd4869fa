package dev.ferry.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state records the migration file (metadata.name) it belongs to, and reads state that does not. */
class StateCodecMigrationTest {

    @Test
    void theMigrationNameIsWrittenAndReadBack() {
        State state = State.empty().withMigration("web-tier").withSerial(3);
        byte[] encoded = StateCodec.encode(state);
        assertThat(new String(encoded, StandardCharsets.UTF_8)).contains("\"migration\":\"web-tier\"");
        State decoded = StateCodec.decode(encoded, "state.json");
        assertThat(decoded.migration()).contains("web-tier");
        assertThat(decoded.lineage()).isEqualTo(state.lineage());
        assertThat(decoded.serial()).isEqualTo(3);
    }

    @Test
    void stateOfAnOlderFerryHasNoMigrationName() {
        byte[] old = ("{\"format_version\":1,\"lineage\":\"a1b2\",\"serial\":4,\"ferry_version\":\"0.1.0\",\"resources\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        State decoded = StateCodec.decode(old, "state.json");
        assertThat(decoded.migration()).isEmpty();
        assertThat(new String(StateCodec.encode(decoded), StandardCharsets.UTF_8)).doesNotContain("migration");
    }

    @Test
    void aLiveStateKeepsTheNameInEveryWrite() {
        MemoryStateStore store = new MemoryStateStore();
        LiveState live = new LiveState(store, new State("l-1", 0, java.util.Optional.of("fleet"), Map.of()));
        live.updateAll(s -> s);
        assertThat(store.read().orElseThrow().migration()).contains("fleet");
        assertThat(live.current().migration()).contains("fleet");
    }
}
