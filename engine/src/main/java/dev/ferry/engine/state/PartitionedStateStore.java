package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * State kept one object per migration plus one for what migrations share, so that a step rewrites only the object of
 * the migration it belongs to (its cost is the size of that migration, not of the state) and shards applying different
 * migrations never write the same object:
 * <pre>
 *   state.json                     the manifest: format 2, lineage, the file's name, the serial at the last whole write
 *   state.d/_shared.json           what migrations share (the staging bucket, the vmimport role)
 *   state.d/migrations/NAME.json   one migration's resources, with that object's own serial
 * </pre>
 * Each part's serial grows with each change written to it; the state's serial is the manifest's plus what the parts'
 * serials grew by since the manifest was written ({@code parts_serial} is their sum then), so it grows with every change,
 * whichever object it went to, while a step writes one part and never the manifest. Every part names the lineage, and a part of
 * another lineage is refused. A state of an older ferry (format 1: everything in {@code state.json}) is read as it is
 * and moved to this layout by the first write: the parts first, the manifest last, so a kill in between leaves the old
 * document in place (the parts written are then written again). Before this run's first write, the whole state as it
 * was is kept as a format-1 document ({@code state.json.backup}) where the objects allow it.
 */
public final class PartitionedStateStore implements StateStore {

    /** The name of the manifest among the objects. */
    public static final String MANIFEST = "state.json";
    /** The name of the object of what migrations share. */
    public static final String SHARED = "_shared.json";
    /** Where the migrations' objects are, below the parts' folder. */
    public static final String MIGRATIONS = "migrations/";

    private final StateObjects objects;
    private final String partsFolder;
    private final String description;
    private final StateCodec.Encoder encoder = new StateCodec.Encoder();

    private boolean read;
    private Optional<State> found = Optional.empty();
    private boolean partitioned;
    private String lineage;
    private Optional<String> file = Optional.empty();
    private long base;
    /** By object name: its serial, its bytes as last read or written, and whose part it is. */
    private final Map<String, Long> serials = new HashMap<>();
    private final Map<String, byte[]> contents = new HashMap<>();
    private final Map<String, Optional<String>> owners = new HashMap<>();
    private boolean backedUp;

    /** {@code partsFolder} is how the manifest names the parts' place ({@code state.d/}), for people reading it. */
    public PartitionedStateStore(StateObjects objects, String partsFolder, String description) {
        this.objects = requireNonNull(objects, "objects is null");
        this.partsFolder = requireNonNull(partsFolder, "partsFolder is null");
        this.description = requireNonNull(description, "description is null");
    }

    /** The object name of a migration's part ({@code migrations/NAME.json}, the name made safe), or the shared one's. */
    public static String objectName(Optional<String> migration) {
        return migration.map(name -> MIGRATIONS + safe(name) + ".json").orElse(SHARED);
    }

    /**
     * Lower-case letters, digits and {@code -} stay; anything else (never in a valid migration name) is written as %XX of
     * its UTF-8 bytes, upper case included, so names stay distinct on file systems that ignore case.
     */
    static String safe(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    @Override
    public synchronized Optional<State> read() {
        read = true;
        serials.clear();
        contents.clear();
        owners.clear();
        Optional<byte[]> manifest = objects.read(MANIFEST);
        if (manifest.isEmpty()) {
            partitioned = false;
            found = Optional.empty();
            lineage = null;
            base = 0;
            return found;
        }
        StateCodec.Document document = StateCodec.decodeDocument(manifest.get(), objects.describe(MANIFEST));
        if (!document.isManifest()) {
            // an older ferry's state, in one document: read as it is, moved to parts by the first write
            partitioned = false;
            State whole = StateCodec.toState(document);
            found = Optional.of(whole);
            lineage = whole.lineage();
            file = whole.migration();
            base = whole.serial();
            return found;
        }
        partitioned = true;
        lineage = document.lineage();
        file = Optional.ofNullable(document.migration());
        base = document.serial() - document.partsSerial();
        long total = base;
        Map<ResourceAddress, ResourceState> resources = new TreeMap<>();
        List<String> names = new ArrayList<>(objects.parts());
        names.sort(null);
        for (String name : names) {
            Optional<byte[]> bytes = objects.read(name);
            if (bytes.isEmpty()) {
                continue;
            }
            StateCodec.Document part = StateCodec.decodeDocument(bytes.get(), objects.describe(name));
            if (part.isManifest() || part.part() == null) {
                throw new StateCodec.StateFormatException(objects.describe(name) + " is not a part of a ferry state");
            }
            if (!part.lineage().equals(lineage)) {
                throw new StateCodec.StateFormatException(objects.describe(name) + " belongs to another state (lineage "
                        + part.lineage() + ") than " + objects.describe(MANIFEST) + " (lineage " + lineage + "); nothing was changed."
                        + " If that other state is no longer wanted, move the file away; otherwise put it back with its own state");
            }
            State of = StateCodec.toState(part);
            for (ResourceState resource : of.resources()) {
                // a record in two parts (a run killed while moving it between migrations): the later one counts
                resources.merge(resource.address(), resource, (a, b) -> b.updatedAt().isAfter(a.updatedAt()) ? b : a);
            }
            serials.put(name, part.serial());
            contents.put(name, bytes.get());
            owners.put(name, part.part().equals(StateCodec.SHARED_PART) ? Optional.empty() : Optional.of(part.part()));
            total += part.serial();
        }
        found = Optional.of(new State(lineage, total, file, resources));
        return found;
    }

    @Override
    public synchronized boolean hasParts() {
        ensureRead();
        return partitioned;
    }

    @Override
    public synchronized void write(State state) {
        ensureRead();
        backUpOnce();
        if (!partitioned) {
            // parts left by a run killed while moving an older state to parts are overwritten, never read back
            for (String name : objects.parts()) {
                if (!serials.containsKey(name) && objects.read(name).isPresent()) {
                    serials.put(name, 0L);
                    owners.put(name, ownerOf(name));
                }
            }
        }
        Map<String, List<ResourceState>> byObject = new TreeMap<>();
        Map<String, Optional<String>> ownerOf = new HashMap<>(owners);
        for (String name : serials.keySet()) {
            byObject.put(name, new ArrayList<>());
        }
        for (ResourceState resource : state.resources()) {
            String name = objectName(resource.migration());
            byObject.computeIfAbsent(name, n -> new ArrayList<>()).add(resource);
            ownerOf.put(name, resource.migration());
        }
        boolean sameHistory = state.lineage().equals(lineage);
        long partsTotal = 0;
        for (Map.Entry<String, List<ResourceState>> entry : byObject.entrySet()) {
            String name = entry.getKey();
            StatePart part = new StatePart(state.lineage(), state.migration(), ownerOf.get(name), entry.getValue(), 0);
            long serial = serials.getOrDefault(name, 0L);
            if (partitioned && sameHistory && contents.containsKey(name) && Arrays.equals(contents.get(name), encoder.encode(part, serial))) {
                partsTotal += serial;
                continue;
            }
            serial++;
            byte[] bytes = encoder.encode(part, serial);
            objects.write(name, bytes);
            serials.put(name, serial);
            contents.put(name, bytes);
            owners.put(name, part.migration());
            partsTotal += serial;
        }
        long newBase = state.serial() - partsTotal;
        if (!partitioned || !sameHistory || newBase != base || !state.migration().equals(file)) {
            objects.write(MANIFEST, StateCodec.encodeManifest(state.lineage(), state.migration(), state.serial(), partsTotal, partsFolder));
        }
        partitioned = true;
        lineage = state.lineage();
        file = state.migration();
        base = newBase;
    }

    @Override
    public synchronized void writePart(StatePart part) {
        ensureRead();
        if (!partitioned || !part.lineage().equals(lineage)) {
            throw new IllegalStateException("the state at " + description + " is not kept in parts of lineage " + part.lineage()
                    + " yet: write it whole first");
        }
        backUpOnce();
        String name = objectName(part.migration());
        if (part.migration().isEmpty()) {
            writeShared(name, part);
            return;
        }
        long serial = serials.getOrDefault(name, 0L) + part.changes();
        byte[] bytes = encoder.encode(part, serial);
        objects.write(name, bytes);
        serials.put(name, serial);
        contents.put(name, bytes);
        owners.put(name, part.migration());
    }

    /**
     * The object of what migrations share, which shards applying at once all write (the first to need the staging bucket
     * makes it, the others adopt it): read again under its own hold, this run's changed records put over what is there
     * now, written back; a conditional write refused because another run got in between is merged again.
     */
    private void writeShared(String name, StatePart part) {
        Map<ResourceAddress, ResourceState> ours = new HashMap<>();
        part.resources().forEach(resource -> ours.put(resource.address(), resource));
        for (int attempt = 1; ; attempt++) {
            try (AutoCloseable held = objects.hold(name)) {
                Optional<byte[]> now = objects.read(name);
                long theirSerial = 0;
                Map<ResourceAddress, ResourceState> merged = new TreeMap<>();
                if (now.isPresent()) {
                    StateCodec.Document document = StateCodec.decodeDocument(now.get(), objects.describe(name));
                    if (!document.lineage().equals(part.lineage())) {
                        throw new StateCodec.StateFormatException(objects.describe(name) + " belongs to another state (lineage "
                                + document.lineage() + ") than " + objects.describe(MANIFEST) + " (lineage " + part.lineage()
                                + "); nothing was overwritten");
                    }
                    theirSerial = document.serial();
                    merged.putAll(StateCodec.toState(document).byAddress());
                }
                for (ResourceAddress address : part.changed()) {
                    if (ours.containsKey(address)) {
                        merged.put(address, ours.get(address));
                    } else {
                        merged.remove(address);
                    }
                }
                long serial = theirSerial + part.changes();
                byte[] bytes = encoder.encode(new StatePart(part.lineage(), part.file(), part.migration(), merged.values(),
                        part.changes()), serial);
                objects.write(name, bytes);
                serials.put(name, serial);
                contents.put(name, bytes);
                owners.put(name, part.migration());
                return;
            } catch (StateObjects.ChangedMeanwhile e) {
                if (attempt >= SHARED_ATTEMPTS) {
                    throw e;
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot release " + objects.describe(name), e);
            }
        }
    }

    private static final int SHARED_ATTEMPTS = 8;

    private static Optional<String> ownerOf(String name) {
        if (name.startsWith(MIGRATIONS) && name.endsWith(".json")) {
            return Optional.of(name.substring(MIGRATIONS.length(), name.length() - ".json".length()));
        }
        return Optional.empty();
    }

    private void ensureRead() {
        if (!read) {
            read();
        }
    }

    /** Keeps the whole state as this run found it, once, before the run's first write. */
    private void backUpOnce() {
        if (backedUp) {
            return;
        }
        backedUp = true;
        if (found.isPresent()) {
            objects.backUp(encoder.encode(found.get()));
        }
    }

    @Override
    public String describe() {
        return description;
    }
}
