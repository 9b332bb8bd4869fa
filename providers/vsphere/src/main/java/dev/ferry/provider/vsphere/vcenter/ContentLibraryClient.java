package dev.ferry.provider.vsphere.vcenter;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * vCenter's Content Library Service and OVF capture, as ferry uses them to export a VM (vSphere Automation API,
 * 7.0 U2 and later): find a datastore and a library, create a local library, capture a VM as an OVF template item
 * ({@code POST /api/vcenter/ovf/library-item}), list its files, and download them through a download session
 * whose files are prepared one by one until {@code PREPARED}, each then offering a {@code download_endpoint}.
 * Creations carry a client token made from ferry's identity, so a retry never creates twice.
 */
public final class ContentLibraryClient {

    /** An OVF capture copies every disk: it may take hours on a real vCenter. */
    private static final Duration CAPTURE_TIMEOUT = Duration.ofHours(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file of a library item: its name and size. */
    public record ItemFile(String name, long size) {
    }

    /** A download session's view of one file: status ({@code PREPARED} ...), size, and its URL once prepared. */
    public record SessionFile(String name, String status, Optional<Long> size, Optional<URI> endpoint, Optional<String> error) {
    }

    private final VcenterClient client;

    public ContentLibraryClient(VcenterClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    public VcenterClient client() {
        return client;
    }

    public Optional<String> datastoreId(String name) {
        JsonNode list = client.require("GET", "/api/vcenter/datastore?names=" + VcenterClient.encoded(name), null, Optional.empty(), "datastore list");
        return list.isArray() && !list.isEmpty() ? Optional.of(list.get(0).path("datastore").asText()) : Optional.empty();
    }

    /** Libraries named {@code name} (names are not unique across library types). */
    public List<String> findLibraries(String name) {
        return ids(client.require("POST", "/api/content/library?action=find", JSON.createObjectNode().put("name", name), Optional.empty(),
                "library search"));
    }

    public Optional<JsonNode> library(String id) {
        return client.call("GET", "/api/content/library/" + VcenterClient.encoded(id), null, Optional.empty());
    }

    public String createLocalLibrary(String name, String description, String datastoreId, String clientToken) {
        ObjectNode model = JSON.createObjectNode().put("name", name).put("description", description).put("type", "LOCAL");
        model.putArray("storage_backings").addObject().put("type", "DATASTORE").put("datastore_id", datastoreId);
        JsonNode id = client.require("POST", "/api/content/local-library", model, Optional.of(clientToken), "local library service");
        return text(id, "POST /api/content/local-library");
    }

    public void deleteLocalLibrary(String id) {
        client.call("DELETE", "/api/content/local-library/" + VcenterClient.encoded(id), null, Optional.empty());
    }

    /**
     * Captures VM {@code vmId} as an OVF template named {@code name} in library {@code libraryId}: the item's id.
     * vCenter answers when the capture is done; a failed capture's errors are in the message.
     */
    public String capture(String vmId, String libraryId, String name, String description, String clientToken) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("source").put("type", "VirtualMachine").put("id", vmId);
        body.putObject("target").put("library_id", libraryId);
        body.putObject("create_spec").put("name", name).put("description", description).putArray("flags");
        JsonNode result = client.call("POST", "/api/vcenter/ovf/library-item", body, Optional.of(clientToken), CAPTURE_TIMEOUT)
                .orElseThrow(() -> new VcenterException("vCenter " + client.endpoint() + " has no OVF capture service (POST "
                        + "/api/vcenter/ovf/library-item answered 404): ferry exports VMs from vCenter 7.0 U2 or later"));
        if (result.path("succeeded").asBoolean(false) && result.hasNonNull("ovf_library_item_id")) {
            return result.get("ovf_library_item_id").asText();
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode error : result.path("error").path("errors")) {
            String message = error.path("message").path("default_message").asText("");
            messages.add(message.isEmpty() ? error.path("category").asText("error") : message);
        }
        throw new VcenterException("vCenter " + client.endpoint() + " could not capture VM " + vmId + " as an OVF template"
                + (messages.isEmpty() ? "" : ": " + String.join("; ", messages)));
    }

    public List<String> findItems(String libraryId, String name) {
        return ids(client.require("POST", "/api/content/library/item?action=find", JSON.createObjectNode().put("library_id", libraryId)
                .put("name", name), Optional.empty(), "library item search"));
    }

    public Optional<JsonNode> item(String id) {
        return client.call("GET", "/api/content/library/item/" + VcenterClient.encoded(id), null, Optional.empty());
    }

    public List<ItemFile> itemFiles(String id) {
        JsonNode list = client.require("GET", "/api/content/library/item/" + VcenterClient.encoded(id) + "/file", null, Optional.empty(),
                "library item " + id);
        List<ItemFile> files = new ArrayList<>();
        for (JsonNode file : list) {
            files.add(new ItemFile(file.path("name").asText(), file.path("size").asLong(-1)));
        }
        return files;
    }

    public void deleteItem(String id) {
        client.call("DELETE", "/api/content/library/item/" + VcenterClient.encoded(id), null, Optional.empty());
    }

    public String createDownloadSession(String itemId, String clientToken) {
        JsonNode id = client.require("POST", "/api/content/library/item/download-session", JSON.createObjectNode().put("library_item_id", itemId),
                Optional.of(clientToken), "library item " + itemId);
        return text(id, "POST /api/content/library/item/download-session");
    }

    /** The session's state ({@code ACTIVE}, {@code CANCELED}, {@code ERROR}), or empty when vCenter no longer has it. */
    public Optional<String> downloadSessionState(String id) {
        return client.call("GET", "/api/content/library/item/download-session/" + VcenterClient.encoded(id), null, Optional.empty())
                .map(session -> session.path("state").asText("ACTIVE"));
    }

    public void keepAlive(String id) {
        client.call("POST", "/api/content/library/item/download-session/" + VcenterClient.encoded(id) + "?action=keep-alive", null, Optional.empty());
    }

    public void deleteDownloadSession(String id) {
        client.call("DELETE", "/api/content/library/item/download-session/" + VcenterClient.encoded(id), null, Optional.empty());
    }

    public SessionFile prepare(String session, String file) {
        return sessionFile(client.require("POST", "/api/content/library/item/download-session/" + VcenterClient.encoded(session)
                + "/file?action=prepare", JSON.createObjectNode().put("file_name", file).put("endpoint_type", "HTTPS"), Optional.empty(),
                "download session " + session));
    }

    public SessionFile file(String session, String file) {
        return sessionFile(client.require("POST", "/api/content/library/item/download-session/" + VcenterClient.encoded(session)
                + "/file?action=get", JSON.createObjectNode().put("file_name", file), Optional.empty(), "download session " + session));
    }

    /** Asks VMware Tools to shut the guest down. */
    public void shutdownGuest(String vmId) {
        client.require("POST", "/api/vcenter/vm/" + VcenterClient.encoded(vmId) + "/guest/power?action=shutdown", null, Optional.empty(), "VM " + vmId);
    }

    public String powerState(String vmId) {
        return client.require("GET", "/api/vcenter/vm/" + VcenterClient.encoded(vmId) + "/power", null, Optional.empty(), "VM " + vmId)
                .path("state").asText("UNKNOWN");
    }

    private static SessionFile sessionFile(JsonNode info) {
        Optional<URI> endpoint = Optional.ofNullable(info.path("download_endpoint").path("uri").textValue()).map(URI::create);
        Optional<Long> size = info.hasNonNull("size") ? Optional.of(info.get("size").asLong()) : Optional.empty();
        Optional<String> error = Optional.ofNullable(info.path("error_message").path("default_message").textValue());
        return new SessionFile(info.path("name").asText(), info.path("status").asText("UNPREPARED"), size, endpoint, error);
    }

    private List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(id -> ids.add(id.asText()));
        return ids;
    }

    private String text(JsonNode id, String what) {
        JsonNode value = id.isTextual() ? id : id.path("value");
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new VcenterException("vCenter " + client.endpoint() + " answered " + what + " without an identifier");
        }
        return value.asText();
    }
}
