package dev.ferry.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A pretend cloud for engine tests: objects with ids, attributes, an identity token (the "tag"),
 * and a status that becomes ready after a number of polls. Every call is logged. Failures can be
 * switched on per call. With a file, every change is persisted atomically, so a test can kill the
 * JVM that drives it and a new JVM sees the cloud as it was (a cloud outlives its clients).
 */
public final class MemoryCloud {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One object in the cloud. */
    public record Thing(String id, String type, ObjectNode attributes, String token, String address, int pollsLeft) {
        public boolean ready() {
            return pollsLeft <= 0;
        }
    }

    /** Thrown by a call a test told to fail. */
    public static final class InjectedFailure extends dev.ferry.engine.FerryException {
        public InjectedFailure(String call) {
            super("injected failure of " + call);
        }
    }

    private final Optional<Path> file;
    private final Map<String, Thing> things = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    private int sequence;
    private volatile Predicate<String> beforeCall = call -> true;
    private volatile java.util.function.Consumer<String> afterCall = call -> { };

    public MemoryCloud() {
        this.file = Optional.empty();
    }

    private MemoryCloud(Path file) {
        this.file = Optional.of(file);
        load();
    }

    /** A cloud persisted in {@code file} (loaded if it exists). */
    public static MemoryCloud persistedIn(Path file) {
        return new MemoryCloud(file);
    }

    /** Makes the next {@code times} calls whose name starts with {@code call} fail. */
    public synchronized void failNext(String call, int times) {
        failures.put(call, times);
    }

    /** Runs before every call; returning false makes the call throw (a crash before it was sent). */
    public void beforeEachCall(Predicate<String> hook) {
        this.beforeCall = hook;
    }

    /** Runs after every call has changed the cloud (throwing from it loses the answer: a crash after). */
    public void afterEachCall(java.util.function.Consumer<String> hook) {
        this.afterCall = hook;
    }

    synchronized void call(String call) {
        if (!beforeCall.test(call)) {
            throw new CrashBeforeCall(call);
        }
        calls.add(call);
        for (Map.Entry<String, Integer> failure : failures.entrySet()) {
            if (call.startsWith(failure.getKey()) && failure.getValue() > 0) {
                failure.setValue(failure.getValue() - 1);
                throw new InjectedFailure(call);
            }
        }
    }

    void answered(String call) {
        afterCall.accept(call);
    }

    /** A crash simulated before a call reached the cloud. */
    public static final class CrashBeforeCall extends RuntimeException {
        public CrashBeforeCall(String call) {
            super("crash before " + call);
        }
    }

    public synchronized Thing create(String type, ObjectNode attributes, String token, String address, int polls) {
        String id = "m-" + String.format("%04d", ++sequence);
        Thing thing = new Thing(id, type, attributes.deepCopy(), token, address, polls);
        things.put(id, thing);
        save();
        return thing;
    }

    public synchronized Optional<Thing> get(String id) {
        return Optional.ofNullable(things.get(id));
    }

    public synchronized Optional<Thing> findByToken(String token) {
        return things.values().stream().filter(t -> t.token().equals(token)).findFirst();
    }

    public synchronized Thing poll(String id) {
        Thing thing = things.get(id);
        if (thing == null) {
            throw new dev.ferry.engine.FerryException("no such thing " + id);
        }
        Thing polled = new Thing(thing.id(), thing.type(), thing.attributes(), thing.token(), thing.address(), thing.pollsLeft() - 1);
        things.put(id, polled);
        save();
        return polled;
    }

    public synchronized void update(String id, ObjectNode attributes) {
        Thing thing = things.get(id);
        things.put(id, new Thing(id, thing.type(), attributes.deepCopy(), thing.token(), thing.address(), thing.pollsLeft()));
        save();
    }

    public synchronized boolean delete(String id) {
        boolean removed = things.remove(id) != null;
        save();
        return removed;
    }

    /** Changes an object behind ferry's back (drift). */
    public synchronized void tamper(String id, String attribute, JsonNode value) {
        Thing thing = things.get(id);
        ObjectNode attributes = thing.attributes().deepCopy();
        attributes.set(attribute, value);
        things.put(id, new Thing(id, thing.type(), attributes, thing.token(), thing.address(), thing.pollsLeft()));
        save();
    }

    public synchronized List<Thing> things() {
        return List.copyOf(things.values());
    }

    public synchronized List<Thing> thingsAt(String address) {
        return things.values().stream().filter(t -> t.address().equals(address)).toList();
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized long count(String callPrefix) {
        return calls.stream().filter(c -> c.startsWith(callPrefix)).count();
    }

    private void save() {
        if (file.isEmpty()) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("sequence", sequence);
        ArrayNode list = root.putArray("things");
        for (Thing thing : things.values()) {
            ObjectNode node = list.addObject();
            node.put("id", thing.id()).put("type", thing.type()).put("token", thing.token()).put("address", thing.address())
                    .put("polls_left", thing.pollsLeft()).set("attributes", thing.attributes());
        }
        try {
            Path temporary = file.get().resolveSibling(file.get().getFileName() + ".tmp");
            Files.write(temporary, JSON.writeValueAsBytes(root));
            Files.move(temporary, file.get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void load() {
        if (!Files.exists(file.get())) {
            return;
        }
        try {
            JsonNode root = JSON.readTree(file.get().toFile());
            sequence = root.path("sequence").asInt();
            for (JsonNode node : root.path("things")) {
                things.put(node.get("id").asText(), new Thing(node.get("id").asText(), node.get("type").asText(),
                        (ObjectNode) node.get("attributes"), node.get("token").asText(), node.get("address").asText(),
                        node.get("polls_left").asInt()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
