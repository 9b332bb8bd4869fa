package dev.ferry.provider.linode;

import dev.ferry.engine.apply.Applier;
import dev.ferry.engine.apply.ApplyOptions;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.diff.PlanLookahead;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.expand.Expansion;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.engine.state.StatePart;
import dev.ferry.engine.state.StateStore;
import dev.ferry.sandbox.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One command run of the Linode half of a journey through the real engine: both providers connected as the CLI's
 * Workspace connects them (the source a {@link FakeSourceProvider}), the file expanded, planned and applied
 * against the sandbox with a state kept in memory.
 */
final class JourneyRun implements AutoCloseable {

    /** Keeps every encoding of the state ever written, to search them. */
    static final class RecordingStore implements StateStore {
        private final MemoryStateStore memory = new MemoryStateStore();
        final List<String> writes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Optional<State> read() {
            return memory.read();
        }

        @Override
        public void write(State state) {
            memory.write(state);
            writes.add(new String(StateCodec.encode(state), StandardCharsets.UTF_8));
        }

        @Override
        public void writePart(StatePart part) {
            memory.writePart(part);
            writes.add(new String(StateCodec.encode(new State(part.lineage(), 0, part.file(), part.resources().stream()
                    .collect(java.util.stream.Collectors.toMap(ResourceState::address, r -> r)))), StandardCharsets.UTF_8));
        }

        @Override
        public boolean hasParts() {
            return memory.hasParts();
        }

        @Override
        public String describe() {
            return "(recorded in memory)";
        }
    }

    final List<ProviderSession> sessions = new ArrayList<>();
    final ResourceTypes types;
    /** The file expanded knowing nothing of the clouds; {@link #plan} expands it again as {@code ferry plan} does. */
    final Configuration configuration;
    private final Expansion expansion;
    private final MigrationFile file;
    final EnvironmentSecretResolver secrets;
    private final StateStore store;
    private final Consumer<Event> events;

    JourneyRun(Sandbox sandbox, Path folder, StateStore store, Consumer<Event> events, FakeSourceProvider source,
               MigrationFile file, String password, LinodeSession.Timing timing) {
        this.store = store;
        this.events = events;
        Map<String, String> environment = new HashMap<>(sandbox.environment());
        environment.put("ROOT_PASSWORD", password);
        secrets = new EnvironmentSecretResolver(environment, folder);
        LinodeProvider linode = new LinodeProvider(timing);
        sessions.add(source.open(new ProviderContext(file.provider("aws"), file, environment, folder, secrets)));
        sessions.add(linode.open(new ProviderContext(file.provider("linode"), file, environment, folder, secrets)));
        types = new ResourceTypes(sessions);
        this.file = file;
        expansion = new Expansion(List.of(source, linode));
        configuration = expansion.expand(file);
    }

    Plan plan(boolean destroy) {
        State state = store.read().orElseGet(() -> {
            State fresh = State.empty();
            store.write(fresh);
            return fresh;
        });
        // as the cli does: the road a file leaves open is chosen from the source's facts and the state
        Configuration expanded = destroy ? Configuration.empty() : expansion.expand(file, new PlanLookahead(types, state));
        return new Planner(types, events::accept).plan(expanded, state,
                new Planner.Options(destroy, true, "migration.yaml", "digest"));
    }

    ApplyResult apply(Plan plan) {
        return apply(plan, new Cancellation());
    }

    ApplyResult apply(Plan plan, Cancellation cancellation) {
        LiveState live = new LiveState(store, store.read().orElseThrow());
        return new Applier(types, live, secrets, events::accept,
                ApplyOptions.defaults().withMaxPollInterval(Duration.ofMillis(20)), cancellation, Clock.systemUTC())
                .apply(plan);
    }

    @Override
    public void close() {
        sessions.forEach(ProviderSession::close);
    }
}
