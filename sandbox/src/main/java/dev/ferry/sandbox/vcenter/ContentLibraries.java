package dev.ferry.sandbox.vcenter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.VirtualMachine;
import dev.ferry.sandbox.world.VmImageFormat;
import dev.ferry.sandbox.world.World;
import dev.ferry.sandbox.world.WorldView;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The sandbox vCenter's Content Library Service and OVF capture, in memory (not kept by {@code --state}):
 * local libraries on the one datastore, library items of type {@code ovf} captured from powered-off VMs (the
 * VM exported as an OVA under the sandbox's storage directory; each file of the OVA is one file of the item),
 * and download sessions whose files go {@code UNPREPARED} → {@code PREPARE_REQUESTED} → {@code PREPARING} →
 * {@code PREPARED} in world time and are then served by the {@link EsxiHost}. Client tokens make creations
 * idempotent, as in vCenter.
 */
final class ContentLibraries {

    /** The datastore every sandbox VM and library lives on. */
    static final String DATASTORE_ID = "datastore-11";
    static final String DATASTORE_NAME = "datastore1";
    static final long DATASTORE_CAPACITY = 4L << 40;
    /** World time a file takes from prepare to PREPARED (each half spent PREPARE_REQUESTED, then PREPARING). */
    static final Duration PREPARE_TIME = Duration.ofSeconds(4);
    /** How long a download session lives without a keep-alive. */
    static final Duration SESSION_TIMEOUT = Duration.ofMinutes(60);

    record Library(String id, String name, String description, String type, String datastoreId, Instant created) {
    }

    record ItemFile(String name, Path path, long offset, long size) {
    }

    record Item(String id, String libraryId, String name, String description, String sourceVm, Instant created,
                List<ItemFile> files) {
        long size() {
            return files.stream().mapToLong(ItemFile::size).sum();
        }
    }

    static final class Session {
        final String id;
        final String itemId;
        final String token;
        String state = "ACTIVE";
        Instant expires;
        final Map<String, Instant> prepareRequested = new LinkedHashMap<>();

        Session(String id, String itemId, String token, Instant expires) {
            this.id = id;
            this.itemId = itemId;
            this.token = token;
            this.expires = expires;
        }
    }

    private final World world;
    private final WorldView view;
    private final EsxiHost esxi;
    private final Path storage;
    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();

    ContentLibraries(World world, EsxiHost esxi, Path storage) {
        this.world = requireNonNull(world, "world is null");
        this.view = new WorldView(world);
        this.esxi = requireNonNull(esxi, "esxi is null");
        this.storage = requireNonNull(storage, "storage is null");
    }

    // ---- datastores ----

    synchronized ArrayNode datastores(List<String> names) {
        ArrayNode list = Json.array();
        if (names == null || names.isEmpty() || names.contains(DATASTORE_NAME)) {
            long used = items.values().stream().mapToLong(Item::size).sum();
            list.addObject().put("datastore", DATASTORE_ID).put("name", DATASTORE_NAME).put("type", "VMFS")
                    .put("free_space", DATASTORE_CAPACITY - used).put("capacity", DATASTORE_CAPACITY);
        }
        return list;
    }

    // ---- libraries ----

    synchronized String createLocalLibrary(JsonNode model, Optional<String> clientToken) {
        Optional<String> earlier = clientToken.map(token -> tokens.get("library:" + token));
        if (earlier.isPresent() && libraries.containsKey(earlier.get())) {
            return earlier.get();
        }
        String name = required(model, "name");
        JsonNode backings = model.path("storage_backings");
        if (!backings.isArray() || backings.isEmpty()) {
            throw VcenterException.invalidArgument("com.vmware.vdcs.cls-main.invalid_storage_backing",
                    "A local library needs one storage backing.", "storage_backings");
        }
        JsonNode backing = backings.get(0);
        if (!"DATASTORE".equals(backing.path("type").asText()) || !DATASTORE_ID.equals(backing.path("datastore_id").asText())) {
            throw VcenterException.invalidArgument("com.vmware.vdcs.cls-main.invalid_datastore",
                    "Datastore '" + backing.path("datastore_id").asText() + "' was not found.", backing.path("datastore_id").asText());
        }
        if (libraries.values().stream().anyMatch(library -> library.name().equals(name))) {
            throw new VcenterException(400, "ALREADY_EXISTS", "com.vmware.vdcs.cls-main.duplicate_library_name",
                    "A library with name '" + name + "' already exists.", List.of(name));
        }
        String id = uuid();
        libraries.put(id, new Library(id, name, model.path("description").asText(""), "LOCAL", DATASTORE_ID, world.now()));
        clientToken.ifPresent(token -> tokens.put("library:" + token, id));
        return id;
    }

    synchronized ObjectNode library(String id) {
        Library library = libraryOrThrow(id);
        ObjectNode model = Json.object();
        model.put("id", library.id()).put("name", library.name()).put("description", library.description())
                .put("type", library.type()).put("creation_time", VcenterApi.timestamp(library.created()))
                .put("last_modified_time", VcenterApi.timestamp(library.created())).put("version", "1")
                .put("server_guid", "3e7c8b4a-0b1e-4ad4-9e33-6d5cf1b2a0f1");
        model.putArray("storage_backings").addObject().put("type", "DATASTORE").put("datastore_id", library.datastoreId());
        return model;
    }

    synchronized ArrayNode libraryIds() {
        ArrayNode ids = Json.array();
        libraries.keySet().forEach(ids::add);
        return ids;
    }

    synchronized ArrayNode findLibraries(JsonNode spec) {
        ArrayNode ids = Json.array();
        String name = spec.path("name").asText(null);
        String type = spec.path("type").asText(null);
        libraries.values().stream().filter(library -> name == null || library.name().equals(name))
                .filter(library -> type == null || library.type().equals(type)).forEach(library -> ids.add(library.id()));
        return ids;
    }

    synchronized void deleteLocalLibrary(String id) {
        libraryOrThrow(id);
        for (Item item : List.copyOf(items.values())) {
            if (item.libraryId().equals(id)) {
                deleteItem(item.id());
            }
        }
        libraries.remove(id);
    }

    // ---- OVF capture ----

    /** {@code POST /api/vcenter/ovf/library-item}: the CreateResult. */
    ObjectNode capture(JsonNode body, Optional<String> clientToken) {
        synchronized (this) {
            Optional<String> earlier = clientToken.map(token -> tokens.get("ovf:" + token));
            if (earlier.isPresent() && items.containsKey(earlier.get())) {
                return created(earlier.get());
            }
        }
        JsonNode source = body.path("source");
        if (!"VirtualMachine".equals(source.path("type").asText())) {
            throw VcenterException.invalidArgument("com.vmware.ovfs.ovfs-main.ovfs.invalid_source_type",
                    "The source type '" + source.path("type").asText() + "' is not supported: use VirtualMachine or VirtualApp.",
                    source.path("type").asText());
        }
        String vmId = required(source, "id");
        VirtualMachine vm = world.read(w -> Optional.ofNullable(w.vms().get(vmId))).orElseThrow(() -> VcenterException.vmNotFound(vmId));
        if (!vm.powerState().equals(VirtualMachine.POWERED_OFF)) {
            throw new VcenterException(400, "NOT_ALLOWED_IN_CURRENT_STATE", "com.vmware.ovfs.ovfs-main.ovfs.vm_powered_on",
                    "The virtual machine '" + vm.name() + "' must be powered off to be exported (it is " + vm.powerState() + ").",
                    List.of(vm.name()));
        }
        String libraryId = required(body.path("target"), "library_id");
        String name = required(body.path("create_spec"), "name");
        synchronized (this) {
            libraryOrThrow(libraryId);
            if (items.values().stream().anyMatch(item -> item.libraryId().equals(libraryId) && item.name().equals(name))) {
                throw new VcenterException(400, "ALREADY_EXISTS", "com.vmware.vdcs.cls-main.duplicate_item_name",
                        "An item with name '" + name + "' already exists in the library.", List.of(name));
            }
        }
        String id = uuid();
        Path ova = storage.resolve("library-items").resolve(id).resolve(VmImageExport.fileName(vm.name()) + ".ova");
        view.vcenter().exportVmImage(vm.id(), ova, VmImageFormat.OVA);
        List<ItemFile> files = new ArrayList<>();
        for (VmImageExport.Entry entry : VmImageExport.entries(ova)) {
            if (!entry.name().endsWith(".mf")) {
                // a content library's OVF item holds the descriptor and the disks; the manifest is not kept
                files.add(new ItemFile(entry.name(), ova, entry.offset(), entry.size()));
            }
        }
        synchronized (this) {
            items.put(id, new Item(id, libraryId, name, body.path("create_spec").path("description").asText(""), vm.id(),
                    world.now(), files));
            clientToken.ifPresent(token -> tokens.put("ovf:" + token, id));
        }
        return created(id);
    }

    private static ObjectNode created(String id) {
        ObjectNode result = Json.object().put("succeeded", true).put("ovf_library_item_id", id);
        result.putObject("error").putArray("errors");
        result.with("error").putArray("warnings");
        result.with("error").putArray("information");
        return result;
    }

    // ---- library items ----

    synchronized ArrayNode itemIds(String libraryId) {
        libraryOrThrow(libraryId);
        ArrayNode ids = Json.array();
        items.values().stream().filter(item -> item.libraryId().equals(libraryId)).forEach(item -> ids.add(item.id()));
        return ids;
    }

    synchronized ArrayNode findItems(JsonNode spec) {
        ArrayNode ids = Json.array();
        String name = spec.path("name").asText(null);
        String library = spec.path("library_id").asText(null);
        items.values().stream().filter(item -> name == null || item.name().equals(name))
                .filter(item -> library == null || item.libraryId().equals(library)).forEach(item -> ids.add(item.id()));
        return ids;
    }

    synchronized ObjectNode item(String id) {
        Item item = itemOrThrow(id);
        ObjectNode model = Json.object();
        model.put("id", item.id()).put("library_id", item.libraryId()).put("name", item.name())
                .put("description", item.description()).put("type", "ovf").put("size", item.size()).put("cached", true)
                .put("content_version", "1").put("metadata_version", "1").put("version", "1")
                .put("creation_time", VcenterApi.timestamp(item.created()))
                .put("last_modified_time", VcenterApi.timestamp(item.created()))
                .put("security_compliance", true);
        return model;
    }

    synchronized ArrayNode itemFiles(String id) {
        ArrayNode list = Json.array();
        for (ItemFile file : itemOrThrow(id).files()) {
            list.addObject().put("name", file.name()).put("size", file.size()).put("cached", true).put("version", "1");
        }
        return list;
    }

    synchronized void deleteItem(String id) {
        Item item = itemOrThrow(id);
        for (Session session : List.copyOf(sessions.values())) {
            if (session.itemId.equals(id)) {
                esxi.withdraw(session.token);
                sessions.remove(session.id);
            }
        }
        items.remove(id);
        try {
            Files.deleteIfExists(item.files().get(0).path());
            Files.deleteIfExists(item.files().get(0).path().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every item, for tests. */
    synchronized List<Item> items() {
        return List.copyOf(items.values());
    }

    synchronized List<Library> libraries() {
        return List.copyOf(libraries.values());
    }

    synchronized int sessionCount() {
        return sessions.size();
    }

    // ---- download sessions ----

    synchronized String createDownloadSession(JsonNode model, Optional<String> clientToken) {
        Optional<String> earlier = clientToken.map(token -> tokens.get("session:" + token));
        if (earlier.isPresent() && sessions.containsKey(earlier.get())) {
            return earlier.get();
        }
        String itemId = required(model, "library_item_id");
        itemOrThrow(itemId);
        String id = uuid();
        sessions.put(id, new Session(id, itemId, world.ids().hex(32), world.now().plus(SESSION_TIMEOUT)));
        clientToken.ifPresent(token -> tokens.put("session:" + token, id));
        return id;
    }

    synchronized ObjectNode downloadSession(String id) {
        Session session = sessionOrThrow(id);
        ObjectNode model = Json.object();
        model.put("id", session.id).put("library_item_id", session.itemId).put("library_item_content_version", "1")
                .put("client_progress", 0).put("state", session.state)
                .put("expiration_time", VcenterApi.timestamp(session.expires));
        return model;
    }

    synchronized void keepAlive(String id) {
        Session session = sessionOrThrow(id);
        session.expires = world.now().plus(SESSION_TIMEOUT);
    }

    synchronized void deleteDownloadSession(String id) {
        Session session = sessionOrThrow(id);
        esxi.withdraw(session.token);
        sessions.remove(id);
    }

    synchronized ArrayNode sessionFiles(String id) {
        Session session = sessionOrThrow(id);
        ArrayNode list = Json.array();
        for (ItemFile file : itemOrThrow(session.itemId).files()) {
            list.add(fileInfo(session, file));
        }
        return list;
    }

    synchronized ObjectNode prepare(String id, JsonNode body) {
        Session session = sessionOrThrow(id);
        ItemFile file = fileOrThrow(session, required(body, "file_name"));
        String endpoint = body.path("endpoint_type").asText("HTTPS");
        if (!endpoint.equals("HTTPS")) {
            throw VcenterException.invalidArgument("com.vmware.vdcs.cls-main.unsupported_endpoint_type",
                    "The sandbox serves download files over HTTPS only, not " + endpoint + ".", endpoint);
        }
        session.prepareRequested.putIfAbsent(file.name(), world.now());
        return fileInfo(session, file);
    }

    synchronized ObjectNode sessionFile(String id, JsonNode body) {
        Session session = sessionOrThrow(id);
        return fileInfo(session, fileOrThrow(session, required(body, "file_name")));
    }

    private ObjectNode fileInfo(Session session, ItemFile file) {
        ObjectNode info = Json.object();
        info.put("name", file.name());
        String status = status(session, file);
        info.put("bytes_transferred", status.equals("PREPARED") ? file.size() : 0);
        info.put("status", status);
        if (status.equals("PREPARED")) {
            info.put("size", file.size());
            info.putObject("download_endpoint").put("uri", esxi.publish(session.token, file.name(),
                    new EsxiHost.Served(file.path(), file.offset(), file.size())).toString());
        }
        return info;
    }

    private String status(Session session, ItemFile file) {
        Instant requested = session.prepareRequested.get(file.name());
        if (requested == null) {
            return "UNPREPARED";
        }
        Duration elapsed = Duration.between(requested, world.now());
        if (elapsed.compareTo(PREPARE_TIME) >= 0) {
            return "PREPARED";
        }
        return elapsed.compareTo(PREPARE_TIME.dividedBy(2)) >= 0 ? "PREPARING" : "PREPARE_REQUESTED";
    }

    // ---- helpers ----

    private Library libraryOrThrow(String id) {
        Library library = libraries.get(id);
        if (library == null) {
            throw notFound("com.vmware.vdcs.cls-main.library_not_found", "Library '" + id + "' was not found.", id);
        }
        return library;
    }

    private Item itemOrThrow(String id) {
        Item item = items.get(id);
        if (item == null) {
            throw notFound("com.vmware.vdcs.cls-main.item_not_found", "Library item '" + id + "' was not found.", id);
        }
        return item;
    }

    private Session sessionOrThrow(String id) {
        Session session = sessions.get(id);
        if (session != null && session.expires.isBefore(world.now())) {
            esxi.withdraw(session.token);
            sessions.remove(id);
            session = null;
        }
        if (session == null) {
            throw notFound("com.vmware.vdcs.cls-main.download_session_not_found", "Download session '" + id + "' was not found.", id);
        }
        return session;
    }

    private ItemFile fileOrThrow(Session session, String name) {
        return itemOrThrow(session.itemId).files().stream().filter(file -> file.name().equals(name)).findFirst()
                .orElseThrow(() -> notFound("com.vmware.vdcs.cls-main.file_not_found", "File '" + name
                        + "' is not part of the library item.", name));
    }

    private static VcenterException notFound(String id, String message, String arg) {
        return new VcenterException(404, "NOT_FOUND", id, message, List.of(arg));
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw VcenterException.invalidArgument("vapi.bindings.typeconverter.missing.field",
                    "Structure is missing the field '" + field + "'.", field);
        }
        return value.asText();
    }

    private String uuid() {
        String hex = world.ids().hex(32);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20)
                + "-" + hex.substring(20);
    }

    /** The entries of an exported OVA: names, offsets of their data, sizes (ustar, GNU base-256 sizes). */
    static final class VmImageExport {
        record Entry(String name, long offset, long size) {
        }

        private VmImageExport() {
        }

        static String fileName(String vmName) {
            String safe = vmName.replaceAll("[^A-Za-z0-9._-]", "_");
            return safe.length() > 80 ? safe.substring(0, 80) : safe;
        }

        static List<Entry> entries(Path ova) {
            List<Entry> entries = new ArrayList<>();
            try (InputStream in = Files.newInputStream(ova)) {
                long position = 0;
                byte[] header = new byte[512];
                while (true) {
                    if (in.readNBytes(header, 0, 512) < 512 || header[0] == 0) {
                        return entries;
                    }
                    position += 512;
                    int end = 0;
                    while (end < 100 && header[end] != 0) {
                        end++;
                    }
                    String name = new String(header, 0, end, StandardCharsets.US_ASCII);
                    long size = size(header);
                    entries.add(new Entry(name, position, size));
                    long padded = (size + 511) / 512 * 512;
                    in.skipNBytes(padded);
                    position += padded;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot index the captured OVA " + ova + ": " + e.getMessage(), e);
            }
        }

        private static long size(byte[] header) {
            if ((header[124] & 0x80) != 0) {
                long size = 0;
                for (int i = 125; i < 136; i++) {
                    size = (size << 8) | (header[i] & 0xFF);
                }
                return size;
            }
            String octal = new String(header, 124, 12, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
            return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        }
    }
}
