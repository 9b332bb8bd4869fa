package dev.ferry.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.Event.Verb;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.transfer.RangedByteSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/** What a provider sees during one step. */
final class StepContext implements ApplyContext {
    private final ResourceTypes types;
    private final LiveState live;
    private final SecretResolver secrets;
    private final EventSink events;
    private final Cancellation cancellation;
    private final Clock clock;

    private final ResourceAddress address;
    final Verb verb;
    private final Identity identity;
    private final Attributes arguments;
    private final Optional<PriorState> prior;
    final Instant started;
    private Instant transferStarted;

    StepContext(ResourceTypes types, LiveState live, SecretResolver secrets, EventSink events, Cancellation cancellation,
                Clock clock, ResourceAddress address, Verb verb, Identity identity, Attributes arguments,
                Optional<PriorState> prior, Instant started) {
        this.types = types;
        this.live = live;
        this.secrets = secrets;
        this.events = events;
        this.cancellation = cancellation;
        this.clock = clock;
        this.address = address;
        this.verb = verb;
        this.identity = identity;
        this.arguments = arguments;
        this.prior = prior;
        this.started = started;
    }

    @Override
    public Identity identity() {
        return identity;
    }

    @Override
    public Attributes arguments() {
        return arguments;
    }

    @Override
    public Optional<PriorState> prior() {
        return prior;
    }

    @Override
    public Secret secret(String name) {
        return secrets.resolve(arguments.secret(name).orElseThrow(
                () -> new IllegalStateException(address + ": argument '" + name + "' is not a secret")));
    }

    @Override
    public void progress(String status) {
        progress(status, OptionalDouble.empty());
    }

    @Override
    public void progress(String status, double percent) {
        progress(status, OptionalDouble.of(percent));
    }

    void progress(String status, OptionalDouble percent) {
        events.accept(new Event.StepProgress(address, verb, status, percent, Duration.between(started, clock.instant())));
    }

    @Override
    public void transferred(String status, long bytes, long totalBytes) {
        Instant now = clock.instant();
        if (transferStarted == null || bytes == 0) {
            transferStarted = now;
        }
        double seconds = Math.max(0.001, Duration.between(transferStarted, now).toMillis() / 1000.0);
        double rate = bytes / seconds;
        Optional<Duration> eta = rate > 0 && totalBytes > bytes
                ? Optional.of(Duration.ofMillis((long) ((totalBytes - bytes) / rate * 1000)))
                : Optional.empty();
        events.accept(new Event.BytesProgress(address, status, bytes, totalBytes, rate, eta));
    }

    @Override
    public RangedByteSource openDiskImage(JsonNode diskImage) {
        return types.open(DiskImage.fromJson(diskImage));
    }

    @Override
    public void checkpoint(Operation operation) {
        ResourceStatus status = switch (verb) {
            case CREATE -> ResourceStatus.CREATING;
            case UPDATE -> ResourceStatus.UPDATING;
            case DELETE, CLEANUP, KEEP -> ResourceStatus.DELETING;
            case READ -> ResourceStatus.READ;
        };
        record(operation, status);
    }

    @Override
    public boolean cancelled() {
        return cancellation.isRequested();
    }

    /** Records {@code operation} in this resource's state entry, with the status it leaves the resource in. */
    void record(Operation operation, ResourceStatus status) {
        live.update(address, recorded -> {
            ResourceState entry = recorded.orElseThrow(() -> new IllegalStateException(address + " vanished from state"));
            ResourceState updated = entry.withOperation(Optional.of(operation), clock.instant()).withStatus(status, clock.instant());
            if (operation.resourceId().isPresent()) {
                updated = updated.withId(operation.resourceId(), clock.instant());
            }
            return Optional.of(updated);
        });
    }
}
