package dev.ferry.engine.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.engine.apply.Applier;
import dev.ferry.engine.apply.ApplyOptions;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.diff.Selection;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.Lifecycle;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Plans and applies hand-built declarations against a {@link MemoryCloud}, the way the CLI does. */
public final class EngineHarness {

    private final MemoryCloud cloud;
    private final MemoryProvider provider;
    private final StateStore store;
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private ApplyOptions options = ApplyOptions.defaults().withMaxPollInterval(Duration.ofMillis(1));
    private Map<String, String> environment = Map.of("TEST_SECRET", "hunter2-secret-value");

    public EngineHarness() {
        this(new MemoryCloud(), new MemoryStateStore(), 2);
    }

    public EngineHarness(MemoryCloud cloud, StateStore store, int slots) {
        this.cloud = cloud;
        this.provider = new MemoryProvider(cloud, slots);
        this.store = store;
    }

    public MemoryCloud cloud() {
        return cloud;
    }

    public StateStore store() {
        return store;
    }

    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public EngineHarness options(ApplyOptions value) {
        this.options = value;
        return this;
    }

    public EngineHarness environment(Map<String, String> value) {
        this.environment = Map.copyOf(value);
        return this;
    }

    /** The stored state; a new one (with its lineage) is stored on first use, as the CLI does. */
    public State state() {
        return store.read().orElseGet(() -> {
            State fresh = State.empty();
            store.write(fresh);
            return fresh;
        });
    }

    public ResourceTypes types() {
        return new ResourceTypes(List.of(provider.session()));
    }

    public Plan plan(List<ResourceDeclaration> declarations) {
        return plan(declarations, false);
    }

    public Plan planDestroy() {
        return plan(List.of(), true);
    }

    public Plan plan(List<ResourceDeclaration> declarations, boolean destroy) {
        State state = state();
        Map<ResourceAddress, ResourceDeclaration> map = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new TreeMap<>();
        for (ResourceDeclaration declaration : declarations) {
            map.put(declaration.address(), declaration);
            owners.put(declaration.address(), Set.of("test"));
        }
        Configuration configuration = new Configuration(map, owners);
        return new Planner(types(), sink()).plan(configuration, state,
                new Planner.Options(destroy, true, "test.yaml", "digest"));
    }

    /** Plans {@code configuration} (a destroy reads it only for the migrations {@code selection} names), narrowed to {@code selection}. */
    public Plan plan(Configuration configuration, boolean destroy, Selection selection) {
        return new Planner(types(), sink()).plan(configuration, state(),
                new Planner.Options(destroy, true, "test.yaml", "digest", selection));
    }

    public ApplyResult apply(Plan plan) {
        return apply(plan, new Cancellation());
    }

    public ApplyResult apply(Plan plan, Cancellation cancellation) {
        LiveState live = new LiveState(store, state());
        return new Applier(types(), live, new EnvironmentSecretResolver(environment, Path.of(".")), sink(), options,
                cancellation, Clock.systemUTC()).apply(plan);
    }

    public ApplyResult planAndApply(List<ResourceDeclaration> declarations) {
        return apply(plan(declarations));
    }

    public EventSink sink() {
        return events::add;
    }

    // Declaration helpers

    public static Declaring thing(String name) {
        return new Declaring(ResourceAddress.managed("test_thing", name));
    }

    public static Declaring slow(String name) {
        return new Declaring(ResourceAddress.managed("test_slow", name));
    }

    public static Declaring data(String name) {
        return new Declaring(ResourceAddress.data("test_data", name));
    }

    /** Builds a test declaration fluently. */
    public static final class Declaring {
        private final ResourceDeclaration.Builder builder;

        Declaring(ResourceAddress address) {
            this.builder = ResourceDeclaration.builder(address, new SourceLocation("test.yaml", 1, 1));
        }

        public Declaring arg(String name, String value) {
            builder.argument(name, value);
            return this;
        }

        public Declaring arg(String name, long value) {
            builder.argument(name, value);
            return this;
        }

        public Declaring arg(String name, boolean value) {
            builder.argument(name, JsonNodeFactory.instance.booleanNode(value));
            return this;
        }

        public Declaring ref(String name, String address, String output) {
            builder.reference(name, ResourceAddress.parse(address), output);
            return this;
        }

        public Declaring secret(String name, String variable) {
            builder.argument(name, new Expression.Secret(SecretReference.of("${env:" + variable + "}")));
            return this;
        }

        public Declaring dependsOn(String address) {
            builder.dependsOn(ResourceAddress.parse(address));
            return this;
        }

        public Declaring cleanupAfter(String... addresses) {
            builder.lifecycle(new Lifecycle(java.util.Arrays.stream(addresses).map(ResourceAddress::parse)
                    .collect(java.util.stream.Collectors.toSet()), false));
            return this;
        }

        public Declaring keepOnDestroy() {
            builder.lifecycle(new Lifecycle(Set.of(), true));
            return this;
        }

        public ResourceDeclaration build() {
            return builder.build();
        }
    }
}
