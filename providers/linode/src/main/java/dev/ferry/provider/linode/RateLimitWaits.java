package dev.ferry.provider.linode;

import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Tells the step whose call waits out the API's rate limit (HTTP 429) that it is queued, on its progress line,
 * instead of leaving it silent for as long as {@code Retry-After} says. The client is shared by every step, so
 * the step is the one whose create, update, delete or poll runs on the calling thread.
 */
final class RateLimitWaits {

    private static final ThreadLocal<Consumer<String>> STEP = new ThreadLocal<>();

    private RateLimitWaits() {
    }

    /** Shows {@code line} on the progress line of the step calling, if a step is. */
    static void waiting(String line) {
        Consumer<String> step = STEP.get();
        if (step != null) {
            step.accept(line);
        }
    }

    static <T> T reportingTo(ApplyContext context, Supplier<T> work) {
        Consumer<String> outer = STEP.get();
        STEP.set(context::progress);
        try {
            return work.get();
        } finally {
            STEP.set(outer);
        }
    }

    /** {@code type}, whose apply-time calls report their waits to their step. */
    static ManagedResourceType reporting(ManagedResourceType type) {
        return new ManagedResourceType() {
            @Override
            public String name() {
                return type.name();
            }

            @Override
            public ResourceSchema schema() {
                return type.schema();
            }

            @Override
            public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
                return type.refresh(requests);
            }

            @Override
            public PlanResult plan(PlanRequest request) {
                return type.plan(request);
            }

            @Override
            public Optional<Found> findExisting(Identity identity, Attributes arguments) {
                return type.findExisting(identity, arguments);
            }

            @Override
            public Outcome create(ApplyContext context) {
                return reportingTo(context, () -> type.create(context));
            }

            @Override
            public Outcome update(ApplyContext context) {
                return reportingTo(context, () -> type.update(context));
            }

            @Override
            public Outcome delete(ApplyContext context) {
                return reportingTo(context, () -> type.delete(context));
            }

            @Override
            public Outcome poll(ApplyContext context, Operation operation) {
                return reportingTo(context, () -> type.poll(context, operation));
            }

            @Override
            public Set<String> limits(Attributes arguments) {
                return type.limits(arguments);
            }

            @Override
            public String toString() {
                return type.toString();
            }
        };
    }
}
