package dev.ferry.provider.vsphere.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A loopback stand-in for the part of the vCenter REST API ferry reads, following the vSphere
 * Automation API reference (7.0 U2+ {@code /api} paths):
 * <ul>
 *   <li>{@code POST /api/session} with HTTP basic authentication: 201 and the session id as a JSON
 *       string; 401 {@code UNAUTHENTICATED} for a wrong user or password;</li>
 *   <li>every other call needs header {@code vmware-api-session-id} naming a live session, else 401
 *       {@code UNAUTHENTICATED};</li>
 *   <li>{@code GET /api/vcenter/vm} with optional repeated {@code names} and {@code power_states}
 *       filters: a JSON array of {@code {vm, name, power_state, cpu_count, memory_size_MiB}};</li>
 *   <li>{@code GET /api/vcenter/vm/{vm}}: the VM's Info document, or 404 {@code NOT_FOUND};</li>
 *   <li>{@code DELETE /api/session}: 204, the session is gone.</li>
 * </ul>
 * Errors carry the vAPI body {@code {"error_type", "messages": [{"id", "default_message", "args"}]}}.
 * Every request is logged (method, path and query, never credentials) for tests to assert on.
 */
public final class FakeVcenter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String username;
    private final String password;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, ObjectNode> vms = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile int failNextWith;

    private FakeVcenter(HttpServer server, String username, String password) {
        this.server = server;
        this.username = username;
        this.password = password;
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeVcenter http(String username, String password) throws IOException {
        return new FakeVcenter(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), username, password);
    }

    public static FakeVcenter https(String username, String password, SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new FakeVcenter(server, username, password);
    }

    public URI endpoint() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Adds a VM; returns its Info document for the test to adjust (power state, disks). */
    public ObjectNode addVm(String id, String name, String guestOs, String powerState, int cpus, long memoryMib, long... diskBytes) {
        ObjectNode vm = JsonNodeFactory.instance.objectNode();
        vm.put("guest_OS", guestOs);
        vm.put("name", name);
        vm.putObject("identity").put("name", name).put("bios_uuid", UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString())
                .put("instance_uuid", UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
        vm.put("power_state", powerState);
        vm.put("instant_clone_frozen", false);
        vm.putObject("hardware").put("upgrade_policy", "NEVER").put("upgrade_status", "NONE").put("version", "VMX_13");
        vm.putObject("boot").put("delay", 0).put("enter_setup_mode", false).put("retry", false).put("retry_delay", 10000).put("type", "BIOS");
        vm.putArray("boot_devices");
        vm.putObject("cpu").put("cores_per_socket", 1).put("count", cpus).put("hot_add_enabled", false).put("hot_remove_enabled", false);
        vm.putObject("memory").put("hot_add_enabled", false).put("size_MiB", memoryMib);
        ObjectNode disks = vm.putObject("disks");
        for (int i = 0; i < diskBytes.length; i++) {
            ObjectNode disk = disks.putObject(String.valueOf(2000 + i));
            disk.put("label", "Hard disk " + (i + 1)).put("type", "SCSI");
            disk.putObject("scsi").put("bus", 0).put("unit", i);
            disk.putObject("backing").put("type", "VMDK_FILE").put("vmdk_file", "[datastore1] " + name + "/" + name
                    + (i == 0 ? "" : "_" + i) + ".vmdk");
            disk.put("capacity", diskBytes[i]);
        }
        ObjectNode nic = vm.putObject("nics").putObject("4000");
        nic.put("label", "Network adapter 1").put("type", "VMXNET3").put("mac_type", "ASSIGNED").put("mac_address", "00:50:56:a1:00:01")
                .put("state", "NOT_CONNECTED").put("start_connected", true).put("allow_guest_control", true)
                .put("wake_on_lan_enabled", true).put("pci_slot_number", 160).put("upt_compatibility_enabled", false);
        nic.putObject("backing").put("type", "STANDARD_PORTGROUP").put("network", "network-12").put("network_name", "VM Network");
        vm.putObject("cdroms");
        vm.putObject("floppies");
        vm.putObject("parallel_ports");
        vm.putObject("serial_ports");
        vm.putObject("sata_adapters");
        vm.putObject("scsi_adapters");
        vm.putObject("nvme_adapters");
        vms.put(id, vm);
        return vm;
    }

    /** Forgets every session, as vCenter does with idle ones. */
    public void expireSessions() {
        sessions.clear();
    }

    public int liveSessions() {
        return sessions.size();
    }

    /** The next request (after the session is checked) fails with {@code status}. */
    public void failNextWith(int status) {
        failNextWith = status;
    }

    /** Requests received, as "METHOD /path?query". */
    public List<String> log() {
        return List.copyOf(log);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            log.add(method + " " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            if (path.equals("/api/session") && method.equals("POST")) {
                if (!authorised(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    error(exchange, 401, "UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required", "Authentication required.");
                    return;
                }
                String session = UUID.randomUUID().toString().replace("-", "");
                sessions.add(session);
                send(exchange, 201, JSON.writeValueAsBytes(session));
                return;
            }
            String session = exchange.getRequestHeaders().getFirst("vmware-api-session-id");
            if (session == null || !sessions.contains(session)) {
                error(exchange, 401, "UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required", "Authentication required.");
                return;
            }
            int failure = failNextWith;
            if (failure != 0) {
                failNextWith = 0;
                error(exchange, failure, failure == 403 ? "UNAUTHORIZED" : "SERVICE_UNAVAILABLE", "com.vmware.vapi.fake", "Injected failure.");
                return;
            }
            if (path.equals("/api/session") && method.equals("DELETE")) {
                sessions.remove(session);
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            if (path.equals("/api/vcenter/vm") && method.equals("GET")) {
                send(exchange, 200, JSON.writeValueAsBytes(list(uri.getRawQuery())));
                return;
            }
            if (path.startsWith("/api/vcenter/vm/") && method.equals("GET")) {
                String id = path.substring("/api/vcenter/vm/".length());
                ObjectNode vm = vms.get(id);
                if (vm == null) {
                    error(exchange, 404, "NOT_FOUND", "com.vmware.api.vcenter.vm.not_found",
                            "Virtual machine with identifier '" + id + "' does not exist.", id);
                    return;
                }
                send(exchange, 200, JSON.writeValueAsBytes(vm));
                return;
            }
            error(exchange, 404, "NOT_FOUND", "com.vmware.vapi.rest.httpNotFound", "Not found.");
        }
    }

    private ArrayNode list(String query) {
        Map<String, List<String>> filters = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    filters.computeIfAbsent(decode(pair.substring(0, equals)), k -> new ArrayList<>()).add(decode(pair.substring(equals + 1)));
                }
            }
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        synchronized (vms) {
            vms.forEach((id, vm) -> {
                List<String> names = filters.getOrDefault("names", List.of());
                List<String> states = filters.getOrDefault("power_states", List.of());
                if ((names.isEmpty() || names.contains(vm.get("name").asText()))
                        && (states.isEmpty() || states.contains(vm.get("power_state").asText()))) {
                    list.addObject().put("vm", id).put("name", vm.get("name").asText()).put("power_state", vm.get("power_state").asText())
                            .put("cpu_count", vm.get("cpu").get("count").asInt()).put("memory_size_MiB", vm.get("memory").get("size_MiB").asLong());
                }
            });
        }
        return list;
    }

    private boolean authorised(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        return decoded.equals(username + ":" + password);
    }

    private static void error(HttpExchange exchange, int status, String type, String id, String message, String... args) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error_type", type);
        ObjectNode entry = body.putArray("messages").addObject();
        ArrayNode arguments = entry.putArray("args");
        for (String arg : args) {
            arguments.add(arg);
        }
        entry.put("default_message", message).put("id", id);
        send(exchange, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
