package dev.ferry.engine.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The engine's test provider, over a {@link MemoryCloud}:
 * <ul>
 *   <li>{@code test_thing}: created at once; {@code value} changes in place, anything else replaces it;</li>
 *   <li>{@code test_slow}: a long operation that becomes ready after {@code polls} polls (default 3), and
 *       is deleted by a long operation too; holds the limit {@code memory:slots} when {@code limited}; its first
 *       {@code queued} starts are refused for a full account, to be tried again after 200 ms;</li>
 *   <li>{@code test_data}: a data source echoing {@code key}; fails for {@code missing: true}.</li>
 * </ul>
 * Any argument {@code derive_from} makes the plan compute {@code derived} ({@code "<value>!"}), unknown
 * until its input is known; {@code plan_error} makes the plan fail with that text.
 */
public final class MemoryProvider implements Provider {

    public static final String SLOTS = "memory:slots";

    private final MemoryCloud cloud;
    private final int slots;
    private Duration pollAfter = Duration.ofMillis(1);
    /** How many starts of each address were refused as queued. */
    private final java.util.Map<String, Integer> refused = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<SourceKind> sources;
    private final List<TargetKind> targets;

    public MemoryProvider(MemoryCloud cloud, int slots) {
        this(cloud, slots, List.of(), List.of());
    }

    public MemoryProvider(MemoryCloud cloud, int slots, List<SourceKind> sources, List<TargetKind> targets) {
        this.cloud = requireNonNull(cloud, "cloud is null");
        this.slots = slots;
        this.sources = List.copyOf(sources);
        this.targets = List.copyOf(targets);
    }

    /** How long long operations ask the engine to wait between polls (1 ms unless a test wants them slow). */
    public MemoryProvider pollAfter(Duration value) {
        this.pollAfter = value;
        return this;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public List<SourceKind> sources() {
        return sources;
    }

    @Override
    public List<TargetKind> targets() {
        return targets;
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        return session();
    }

    /** A session without a migration file, for tests that build configurations by hand. */
    public ProviderSession session() {
        return new ProviderSession() {
            @Override
            public List<ResourceType> resourceTypes() {
                return List.of(new Managed("test_thing", 0, Set.of("value")), new Managed("test_slow", 3, Set.of()), new Data());
            }

            @Override
            public Map<String, Integer> limits() {
                return Map.of(SLOTS, slots);
            }

            @Override
            public List<ArtifactOpener> artifactOpeners() {
                return List.of();
            }

            @Override
            public void close() {
            }
        };
    }

    private final class Managed implements ManagedResourceType {
        private final String name;
        private final int defaultPolls;
        private final Set<String> updatable;

        Managed(String name, int defaultPolls, Set<String> updatable) {
            this.name = name;
            this.defaultPolls = defaultPolls;
            this.updatable = updatable;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ResourceSchema schema() {
            return new ResourceSchema(updatable);
        }

        @Override
        public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
            Map<ResourceAddress, Observation> observed = new HashMap<>();
            for (RefreshRequest request : requests) {
                cloud.call("refresh " + request.address());
                Optional<MemoryCloud.Thing> thing = cloud.get(request.id());
                observed.put(request.address(), thing
                        .<Observation>map(t -> new Observation.Exists(observable(t), outputs(t)))
                        .orElse(new Observation.Gone()));
                cloud.answered("refresh " + request.address());
            }
            return observed;
        }

        private ObjectNode observable(MemoryCloud.Thing thing) {
            ObjectNode arguments = JsonNodeFactory.instance.objectNode();
            JsonNode value = thing.attributes().get("value");
            if (value != null) {
                arguments.set("value", value);
            }
            return arguments;
        }

        @Override
        public PlanResult plan(PlanRequest request) {
            Attributes desired = request.desired();
            if (desired.has("plan_error")) {
                return new PlanResult(desired, JsonNodeFactory.instance.objectNode(), List.of(),
                        List.of(desired.optionalText("plan_error").orElse("plan error")));
            }
            Attributes planned = desired;
            List<Note> notes = List.of();
            if (desired.has("derive_from")) {
                planned = desired.isKnown("derive_from")
                        ? desired.with("derived", JsonNodeFactory.instance.textNode(desired.text("derive_from") + "!"))
                        : desired.withUnknown("derived");
                notes = List.of(Note.info("derived is computed from derive_from"));
            }
            if (desired.has("warn")) {
                notes = List.of(Note.warning(desired.optionalText("warn").orElse("warning")));
            }
            return new PlanResult(planned, JsonNodeFactory.instance.objectNode(), notes, List.of());
        }

        @Override
        public Optional<Found> findExisting(Identity identity, Attributes arguments) {
            String call = "find " + identity.address();
            cloud.call(call);
            Optional<Found> found = cloud.findByToken(identity.token()).map(thing -> new Found(thing.id(),
                    thing.ready() ? Optional.empty() : Optional.of(Operation.of(Operation.CREATE, thing.id(), thing.id(), "provisioning"))));
            cloud.answered(call);
            return found;
        }

        @Override
        public Outcome create(ApplyContext context) {
            String call = "create " + context.identity().address();
            cloud.call(call);
            Attributes arguments = context.arguments();
            ObjectNode attributes = arguments.knownValues();
            arguments.secrets().keySet().forEach(secret -> attributes.put(secret + "_length", context.secret(secret).length()));
            int queued = arguments.find("queued").map(JsonNode::asInt).orElse(0);
            if (refused.merge(context.identity().address().toString(), 1, Integer::sum) <= queued) {
                cloud.answered(call);
                return Outcome.InProgress.queued(Operation.of(Operation.CREATE, "start-" + context.identity().token(), null, "starting"),
                        "queued by the memory cloud: every slot of the account is taken", Duration.ofMillis(200));
            }
            int polls = arguments.find("polls").map(JsonNode::asInt).orElse(defaultPolls);
            MemoryCloud.Thing thing = cloud.create(name, attributes, context.identity().token(), context.identity().address().toString(), polls);
            cloud.answered(call);
            return thing.ready() ? new Outcome.Done(thing.id(), outputs(thing)) : pending(Operation.CREATE, thing);
        }

        @Override
        public Outcome update(ApplyContext context) {
            String call = "update " + context.identity().address();
            cloud.call(call);
            String id = context.prior().orElseThrow().id();
            cloud.update(id, context.arguments().knownValues());
            cloud.answered(call);
            return new Outcome.Done(id, outputs(cloud.get(id).orElseThrow()));
        }

        @Override
        public Outcome delete(ApplyContext context) {
            String call = "delete " + context.identity().address();
            cloud.call(call);
            String id = context.prior().orElseThrow().id();
            Optional<MemoryCloud.Thing> thing = cloud.get(id);
            cloud.answered(call);
            if (thing.isEmpty()) {
                return new Outcome.Deleted();
            }
            if (defaultPolls == 0) {
                cloud.delete(id);
                return new Outcome.Deleted();
            }
            return new Outcome.InProgress(Operation.of(Operation.DELETE, id, id, "deleting"), "deleting", OptionalDouble.empty(),
                    pollAfter);
        }

        @Override
        public Outcome poll(ApplyContext context, Operation operation) {
            String call = "poll " + context.identity().address();
            cloud.call(call);
            try {
                if (operation.id().startsWith("start-")) {
                    return create(context);
                }
                if (operation.kind().equals(Operation.DELETE)) {
                    cloud.delete(operation.id());
                    return new Outcome.Deleted();
                }
                Optional<MemoryCloud.Thing> existing = cloud.get(operation.id());
                if (existing.isEmpty()) {
                    throw new dev.ferry.engine.FerryException("operation " + operation.id() + " vanished");
                }
                MemoryCloud.Thing thing = cloud.poll(operation.id());
                return thing.ready() ? new Outcome.Done(thing.id(), outputs(thing)) : pending(operation.kind(), thing);
            } finally {
                cloud.answered(call);
            }
        }

        private Outcome pending(String kind, MemoryCloud.Thing thing) {
            return new Outcome.InProgress(Operation.of(kind, thing.id(), thing.id(), "provisioning"), "provisioning",
                    OptionalDouble.of(50), pollAfter);
        }

        @Override
        public Set<String> limits(Attributes arguments) {
            return arguments.find("limited").map(JsonNode::asBoolean).orElse(false) ? Set.of(SLOTS) : Set.of();
        }

        private ObjectNode outputs(MemoryCloud.Thing thing) {
            ObjectNode outputs = JsonNodeFactory.instance.objectNode();
            outputs.put("id", thing.id());
            JsonNode value = thing.attributes().get("value");
            outputs.set("value", value == null ? JsonNodeFactory.instance.nullNode() : value);
            outputs.set("echo", thing.attributes());
            return outputs;
        }
    }

    private final class Data implements DataSourceType {
        @Override
        public String name() {
            return "test_data";
        }

        @Override
        public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
            cloud.call("read " + requests.size() + " test_data");
            Map<ResourceAddress, DataResult> results = new HashMap<>();
            for (DataRequest request : requests) {
                if (request.arguments().find("missing").map(JsonNode::asBoolean).orElse(false)) {
                    results.put(request.address(), new DataResult.Failed("it does not exist"));
                    continue;
                }
                ObjectNode outputs = JsonNodeFactory.instance.objectNode();
                outputs.put("value", request.arguments().optionalText("key").orElse("") + "-fact");
                results.put(request.address(), new DataResult.Found(outputs, List.of()));
            }
            cloud.answered("read");
            return results;
        }
    }
}
