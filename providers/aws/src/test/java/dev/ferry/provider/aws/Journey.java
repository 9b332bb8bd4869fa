package dev.ferry.provider.aws;

import dev.ferry.engine.apply.Applier;
import dev.ferry.engine.apply.ApplyOptions;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.expand.Expansion;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateStore;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.target.S3ObjectUploadResource;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A migration file planned and applied the way the CLI does it (expand, plan, apply, each command with
 * its own provider sessions), with the AWS provider against a sandbox and {@link FakeNeighbours} on the
 * other side of each journey.
 */
public final class Journey {

    /** Short backoffs and small parts: the sandbox runs at a hundredth of real time. */
    static final AwsClients.RetryTuning FAST_RETRIES = new AwsClients.RetryTuning(10, Duration.ofMillis(5), Duration.ofMillis(20),
            Duration.ofMillis(200));
    static final S3ObjectUploadResource.UploadTuning SMALL_PARTS = new S3ObjectUploadResource.UploadTuning(5L * 1024 * 1024, 3);

    /** A home without AWS config files, so the real user's profiles never leak into a test. */
    static final Path HOME = Path.of("target", "no-home").toAbsolutePath();

    private final MigrationFile file;
    private final StateStore store;
    private final FakeNeighbours neighbours;
    private final AwsProvider aws;
    private final Map<String, String> environment;
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final List<java.util.function.Consumer<Event>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private java.util.function.UnaryOperator<dev.ferry.engine.provider.ResourceType> wrapper = java.util.function.UnaryOperator.identity();
    private ApplyOptions options = ApplyOptions.defaults().withMaxPollInterval(Duration.ofMillis(20));

    public Journey(Sandbox sandbox, String yaml, Path directory, StateStore store, FakeNeighbours neighbours) {
        this.store = store;
        this.neighbours = neighbours;
        this.aws = new AwsProvider(FAST_RETRIES, SMALL_PARTS);
        Map<String, String> env = new HashMap<>(sandbox.environment());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("ROOT_PASS", "Correct-Horse-Battery-9");
        this.environment = Map.copyOf(env);
        this.file = load(providers(), yaml, directory);
    }

    /** Reads a migration file as ferry does, with the section kinds of {@code providers}. */
    static MigrationFile load(List<Provider> providers, String yaml, Path directory) {
        List<SectionKind> kinds = providers.stream().flatMap(p -> p.sectionKinds().stream()).toList();
        MigrationFiles.Loaded loaded = new MigrationFiles(kinds).parse(yaml.getBytes(StandardCharsets.UTF_8), "migration.yaml", directory);
        if (loaded.hasErrors()) {
            throw new IllegalArgumentException("the test's migration file is wrong: " + loaded.diagnostics());
        }
        return loaded.file().orElseThrow();
    }

    /** The file's {@code providers.aws} block connected with {@code environment} and {@code home}, as a command would. */
    static AwsSession open(MigrationFile file, Map<String, String> environment, Path home) {
        return (AwsSession) new AwsProvider(FAST_RETRIES, SMALL_PARTS).open(new ProviderContext(file.provider("aws"), file, environment, home,
                new EnvironmentSecretResolver(environment, Path.of("."))));
    }

    public Journey(Sandbox sandbox, String yaml, Path directory) {
        this(sandbox, yaml, directory, new MemoryStateStore(), new FakeNeighbours());
    }

    /** Calls {@code listener} with every event of later plans and applies, as it happens. */
    Journey onEvent(java.util.function.Consumer<Event> listener) {
        listeners.add(listener);
        return this;
    }

    /** Puts {@code value} around every resource type of later commands (to kill a step at a chosen moment). */
    Journey wrapTypes(java.util.function.UnaryOperator<dev.ferry.engine.provider.ResourceType> value) {
        this.wrapper = value;
        return this;
    }

    private void record(Event event) {
        events.add(event);
        listeners.forEach(listener -> listener.accept(event));
    }

    Journey options(ApplyOptions value) {
        this.options = value;
        return this;
    }

    List<Provider> providers() {
        return Stream.concat(Stream.of((Provider) aws), neighbours.providers().stream()).toList();
    }

    MigrationFile file() {
        return file;
    }

    public FakeNeighbours neighbours() {
        return neighbours;
    }

    public StateStore store() {
        return store;
    }

    Map<String, String> environment() {
        return environment;
    }

    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    Configuration configuration() {
        return new Expansion(providers()).expand(file);
    }

    State state() {
        return store.read().orElseGet(() -> {
            State fresh = State.empty();
            store.write(fresh);
            return fresh;
        });
    }

    public ResourceState resource(String address) {
        return state().get(ResourceAddress.parse(address)).orElseThrow(() -> new AssertionError(address + " is not in the state"));
    }

    /** One command's provider sessions, as the CLI opens them. */
    final class Command implements AutoCloseable {
        final ProviderSession awsSession;
        final ResourceTypes types;

        Command() {
            this.awsSession = aws.open(new ProviderContext(file.provider("aws"), file, environment, HOME,
                    new EnvironmentSecretResolver(environment, Path.of("."))));
            ProviderSession wrapped = new ProviderSession() {
                @Override
                public List<dev.ferry.engine.provider.ResourceType> resourceTypes() {
                    return awsSession.resourceTypes().stream().map(wrapper).toList();
                }

                @Override
                public Map<String, Integer> limits() {
                    return awsSession.limits();
                }

                @Override
                public List<dev.ferry.engine.provider.ArtifactOpener> artifactOpeners() {
                    return awsSession.artifactOpeners();
                }

                @Override
                public void close() {
                    awsSession.close();
                }
            };
            this.types = new ResourceTypes(List.of(wrapped, neighbours.session()));
        }

        @Override
        public void close() {
            awsSession.close();
        }
    }

    public Plan plan() {
        return plan(false);
    }

    Plan planDestroy() {
        return plan(true);
    }

    public Plan plan(boolean destroy) {
        try (Command command = new Command()) {
            return new Planner(command.types, this::record).plan(destroy ? Configuration.empty() : configuration(), state(),
                    new Planner.Options(destroy, true, "migration.yaml", "digest"));
        }
    }

    public ApplyResult apply(Plan plan) {
        return apply(plan, new Cancellation());
    }

    public ApplyResult apply(Plan plan, Cancellation cancellation) {
        try (Command command = new Command()) {
            LiveState live = new LiveState(store, state());
            return new Applier(command.types, live, new EnvironmentSecretResolver(environment, Path.of(".")), this::record, options,
                    cancellation, Clock.systemUTC()).apply(plan);
        }
    }

    public ApplyResult apply() {
        return apply(plan());
    }

    public ApplyResult destroy() {
        return apply(planDestroy());
    }

    public String failures(ApplyResult result) {
        return result.failures().stream().map(ApplyResult.Failure::message).collect(Collectors.joining("\n"));
    }
}
