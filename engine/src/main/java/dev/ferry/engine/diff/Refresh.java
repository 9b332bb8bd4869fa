package dev.ferry.engine.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.plan.Drift;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.JsonValues;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Observes what state records, through the providers, one batch per resource type, and notes what
 * changed outside ferry.
 */
final class Refresh {

    /** Observations by address, and the drift they show. */
    record Result(Map<ResourceAddress, Observation> observations, List<Drift> drift) {
    }

    private final ResourceTypes types;
    private final EventSink events;

    Refresh(ResourceTypes types, EventSink events) {
        this.types = requireNonNull(types, "types is null");
        this.events = requireNonNull(events, "events is null");
    }

    Result run(State state) {
        Map<String, List<RefreshRequest>> byType = new TreeMap<>();
        for (ResourceState resource : state.resources()) {
            if (!isObservable(resource)) {
                continue;
            }
            Optional<ResourceType> type = types.find(resource.address().type());
            if (type.isEmpty() || !(type.get() instanceof ManagedResourceType)) {
                continue; // its provider is not in use; planning reports it if something must be done
            }
            events.accept(new Event.Refreshing(resource.address(), resource.id().get()));
            byType.computeIfAbsent(resource.address().type(), t -> new ArrayList<>())
                    .add(new RefreshRequest(resource.address(), resource.id().get(), resource.arguments(), resource.outputs()));
        }
        Map<ResourceAddress, Observation> observations = new HashMap<>();
        for (Map.Entry<String, List<RefreshRequest>> batch : byType.entrySet()) {
            ManagedResourceType type = (ManagedResourceType) types.find(batch.getKey()).orElseThrow();
            Map<ResourceAddress, Observation> observed;
            try {
                observed = type.refresh(batch.getValue());
            } catch (FerryException e) {
                throw new FerryException("refreshing " + batch.getKey() + " resources: " + e.getMessage(), e);
            }
            for (RefreshRequest request : batch.getValue()) {
                Observation observation = observed.get(request.address());
                if (observation == null) {
                    throw new IllegalStateException(type.name() + " refresh gave no observation for " + request.address());
                }
                observations.put(request.address(), observation);
            }
        }
        List<Drift> drift = new ArrayList<>();
        for (Map.Entry<ResourceAddress, Observation> entry : new TreeMap<>(observations).entrySet()) {
            ResourceState recorded = state.get(entry.getKey()).orElseThrow();
            Observation observation = entry.getValue();
            if (observation instanceof Observation.Exists exists) {
                Map<String, Drift.Values> changed = changedArguments(recorded.arguments(), exists.arguments());
                if (!changed.isEmpty()) {
                    drift.add(new Drift(entry.getKey(), Drift.Kind.CHANGED, changed, Optional.empty()));
                }
            } else if (observation instanceof Observation.Gone) {
                drift.add(new Drift(entry.getKey(), Drift.Kind.DELETED, Map.of(), Optional.empty()));
            } else if (observation instanceof Observation.Broken broken) {
                drift.add(new Drift(entry.getKey(), Drift.Kind.BROKEN, Map.of(), Optional.of(broken.reason())));
            }
        }
        return new Result(observations, drift);
    }

    /** Resources that exist in the cloud by state's account: they have an id and are not gone by design. */
    static boolean isObservable(ResourceState resource) {
        if (resource.address().isData() || resource.id().isEmpty() || resource.operation().isPresent()) {
            return false;
        }
        return resource.status() == ResourceStatus.CREATED || resource.status() == ResourceStatus.TAINTED;
    }

    static Map<String, Drift.Values> changedArguments(ObjectNode recorded, ObjectNode observed) {
        Map<String, Drift.Values> changed = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = observed.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode before = recorded.get(field.getKey());
            if (before != null && !JsonValues.equal(before, field.getValue())) {
                changed.put(field.getKey(), new Drift.Values(before, field.getValue()));
            }
        }
        return changed;
    }
}
