package dev.ferry.provider.aws.task;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType.Found;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.resource.Identity;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import dev.ferry.provider.aws.client.Json;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Follows one kind of VM Import/Export conversion task (an image export, an image import, an instance
 * export): starts it with the identity's ClientToken and retries a start refused for want of a free
 * slot or a role IAM has not spread yet; follows Describe with progress and status message; finds a
 * task no state recorded by ferry's tags; cancels one still active; and words how one ended badly.
 * A resource supplies its SDK task type as a {@link Kind} and says what a completed task produces.
 */
public final class ConversionTasks<T> {

    /** AWS runs at most 5 import and export (conversion) tasks per region at once, by default. */
    public static final int PER_REGION = 5;
    /** The longest wait between two polls; the engine's first poll comes sooner, and later ones follow the operation's pace. */
    static final Duration POLL = Duration.ofSeconds(15);
    /** Starts tried while a new role propagates through IAM. */
    static final int START_ATTEMPTS = 20;
    /** The least wait before starting again a task AWS refused because the region's conversion slots are all taken. */
    static final Duration QUEUED = Duration.ofSeconds(30);
    private static final Pattern RUNNING = Pattern.compile("\\((\\d+)\\)");

    /** The engine's name for the conversion slots of {@code region}. */
    public static String limit(String region) {
        return "aws:conversion-tasks:" + region;
    }

    /**
     * One SDK task type: {@code label} starts its progress lines ("export"), {@code noun} names it in
     * messages ("export task"); how to describe one (and the codes for one that is gone), list all,
     * cancel one, and read its id, status, message, progress and tags; {@code ended} are the statuses
     * of a task being removed; {@code recordsTask} whether the task id is the resource's id.
     */
    public record Kind<T>(String label, String noun, String describeCall, java.util.function.BiFunction<Ec2Client, String, List<T>> describe,
                   Set<String> notFound, Function<Ec2Client, List<T>> list, String cancelCall,
                   java.util.function.BiConsumer<Ec2Client, String> cancel, Function<T, String> id, Function<T, String> status,
                   Function<T, String> message, Function<T, OptionalDouble> progress, Function<T, List<Tag>> tags, Set<String> ended,
                   boolean recordsTask) {
    }

    /** What a start call answered: the task's id and status message. */
    public record Started(String id, String statusMessage) {
    }

    private final AwsClients clients;
    private final AwsCalls calls;
    private final Kind<T> kind;

    ConversionTasks(AwsClients clients, AwsCalls calls, Kind<T> kind) {
        this.clients = requireNonNull(clients, "clients is null");
        this.calls = requireNonNull(calls, "calls is null");
        this.kind = requireNonNull(kind, "kind is null");
    }

    /** The operation that follows task {@code id}. */
    public Operation following(String id) {
        return Operation.of(Operation.CREATE, id, kind.recordsTask() ? id : null, "active");
    }

    /**
     * Starts a task with {@code call} (which passes the identity's token as ClientToken). A start whose
     * answer was lost looks for the task it may have made and goes on with {@code resume}; a start refused
     * because every conversion slot of the region is taken is queued, tried again after a jittered wait for
     * as long as it takes; one refused for a role IAM has not spread yet, up to {@link #START_ATTEMPTS} times.
     */
    public Outcome start(ApplyContext context, int attempt, String what, Supplier<Started> call, Function<Found, Outcome> resume) {
        Identity identity = context.identity();
        Started started;
        try {
            started = calls.call(what, call);
        } catch (FerryException e) {
            if (AwsCalls.answerLost(e)) {
                Optional<Found> made = find(identity).map(this::found);
                if (made.isPresent()) {
                    return made.get().pending().<Outcome>map(op -> new Outcome.InProgress(op, kind.label() + " " + op.id() + " started",
                            OptionalDouble.of(0), POLL)).orElseGet(() -> resume.apply(made.get()));
                }
            }
            Optional<Outcome> queued = queued(e, identity, attempt);
            if (queued.isPresent()) {
                return queued.get();
            }
            if (roleNotReady(e) && attempt < START_ATTEMPTS) {
                return Outcome.InProgress.waiting(starting(identity, attempt + 1), "waiting for the service role to take effect in IAM",
                        POLL);
            }
            throw e;
        }
        return new Outcome.InProgress(following(started.id()), kind.label() + " " + started.id() + " "
                + Optional.ofNullable(started.statusMessage()).orElse("started"), OptionalDouble.of(0), POLL);
    }

    /**
     * A start refused because every conversion slot of the region is taken (counted by AWS for the whole account:
     * other shards, other tools): back-pressure, never a failure. The start is tried again after a jittered wait, by
     * {@link ConversionTaskResource#poll}, for as long as it takes.
     */
    public Optional<Outcome> queued(FerryException e, Identity identity, int attempt) {
        if (!AwsCalls.hasCode(e.getCause(), "ResourceCountLimitExceeded")) {
            return Optional.empty();
        }
        return Optional.of(Outcome.InProgress.queued(starting(identity, attempt), "queued by AWS: " + running(e) + " conversion tasks"
                + " already running in " + clients.regionName(), queuedFor()));
    }

    /** A start to try again; {@code attempt} counts the starts refused for the role only, since a queue may be long. */
    private static Operation starting(Identity identity, int attempt) {
        return new Operation(Operation.CREATE, "start-" + identity.token(), Optional.empty(), "starting",
                Json.object().put("attempt", attempt));
    }

    /** A role IAM has not propagated yet: VM Import/Export says the service role does not exist or lacks permissions. */
    private static boolean roleNotReady(FerryException e) {
        return AwsCalls.hasCode(e.getCause(), "InvalidParameter") && e.getMessage() != null && e.getMessage().contains("service role");
    }

    /** How many tasks AWS says already run: the number in its message ("… concurrent conversion tasks (5) …"), or its default. */
    static int running(FerryException e) {
        Matcher number = RUNNING.matcher(e.getMessage() == null ? "" : e.getMessage());
        return number.find() ? Integer.parseInt(number.group(1)) : PER_REGION;
    }

    /** {@link #QUEUED} and up to as much again at random, so the shards a full region turned away do not all come back at once. */
    static Duration queuedFor() {
        return QUEUED.plusSeconds(ThreadLocalRandom.current().nextLong(QUEUED.toSeconds() + 1));
    }

    /** Whether {@code operation} waits to start again (see {@link #start}); its next attempt's number. */
    static Optional<Integer> restart(Operation operation) {
        return operation.phase().equals("starting") ? Optional.of(operation.data().path("attempt").asInt(2)) : Optional.empty();
    }

    /** One poll of the task {@code operation} follows: in progress, {@code completed}'s outcome, or its failure. */
    public Outcome poll(Operation operation, Function<T, Outcome> completed) {
        T task = describe(operation.id()).orElseThrow(() -> new FerryException(kind.noun() + " " + operation.id()
                + " is no longer listed by EC2; run apply again"));
        return follow(task, operation, completed);
    }

    public Outcome follow(T task, Operation operation, Function<T, Outcome> completed) {
        String status = Optional.ofNullable(kind.status().apply(task)).orElse("active");
        String message = Optional.ofNullable(kind.message().apply(task)).orElse("");
        String id = kind.id().apply(task);
        switch (status) {
            case "active":
                return new Outcome.InProgress(operation.withPhase("active"), kind.label() + " " + id + (message.isEmpty() ? "" : " " + message),
                        kind.progress().apply(task), POLL);
            case "completed":
                return completed.apply(task);
            default:
                throw new FerryException(kind.noun() + " " + id + " ended " + status + ": " + (message.isEmpty() ? "AWS gave no reason" : message));
        }
    }

    /** The task {@code id}, or empty when EC2 no longer lists it. */
    public Optional<T> describe(String id) {
        try {
            return calls.call(kind.describeCall() + " " + id, () -> kind.describe().apply(clients.ec2(), id)).stream().findFirst();
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), kind.notFound().toArray(String[]::new))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A task no state recorded: the first that carries {@code identity}'s tags and is not being removed. */
    public Optional<T> find(Identity identity) {
        List<T> tasks = calls.call(kind.describeCall(), () -> kind.list().apply(clients.ec2()));
        return tasks.stream().filter(task -> Ec2Tags.carries(kind.tags().apply(task), identity))
                .filter(task -> !kind.ended().contains(kind.status().apply(task)))
                .findFirst();
    }

    /** {@code task} as found: followed while active. */
    public Found found(T task) {
        String id = kind.id().apply(task);
        return new Found(id, "active".equals(kind.status().apply(task)) ? Optional.of(following(id)) : Optional.empty());
    }

    /** Cancels the task {@code id} if it is still active; returns it as EC2 lists it, if it does. */
    public Optional<T> cancel(ApplyContext context, String id) {
        Optional<T> task = describe(id);
        if (task.isPresent() && "active".equals(kind.status().apply(task.get()))) {
            context.progress("cancelling " + kind.noun() + " " + id);
            try {
                calls.run(kind.cancelCall() + " " + id, () -> kind.cancel().accept(clients.ec2(), id));
            } catch (FerryException e) {
                if (!AwsCalls.hasCode(e.getCause(), "IncorrectState") && !AwsCalls.hasCode(e.getCause(), kind.notFound().toArray(String[]::new))) {
                    throw e;
                }
            }
        }
        return task;
    }

    /** Deletes the object a task wrote, if it is still there. */
    public void deleteOutput(ApplyContext context, String bucket, String key) {
        context.progress("deleting s3://" + bucket + "/" + key);
        try {
            calls.run("S3 DeleteObject s3://" + bucket + "/" + key, () -> clients.s3().deleteObject(r -> r.bucket(bucket).key(key)));
        } catch (FerryException e) {
            if (!AwsCalls.missing(e.getCause(), "NoSuchBucket", "NoSuchKey")) {
                throw e;
            }
        }
    }

    /** A progress such as "42" or "42%" as a number, 0 when there is none. */
    public static OptionalDouble percent(String progress) {
        try {
            return OptionalDouble.of(progress == null ? 0 : Double.parseDouble(progress.replace("%", "").strip()));
        } catch (NumberFormatException e) {
            return OptionalDouble.of(0);
        }
    }
}
