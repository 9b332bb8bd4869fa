package dev.ferry.provider.vsphere.vcenter;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.resource.Secret;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;

/**
 * The vCenter Server REST API (vSphere Automation API, the {@code /api} paths of 7.0 U2 and later),
 * just what ferry reads: {@code POST /api/session} with basic authentication for a session id, sent
 * back in the {@code vmware-api-session-id} header; {@code GET /api/vcenter/vm?names=...} to find VMs
 * by name; {@code GET /api/vcenter/vm/{vm}} for one VM's hardware; {@code DELETE /api/session} at the
 * end. Logs in on first use, and again once if vCenter forgets the session. Neither the password nor
 * the session id ever appears in a message or in {@link #toString()}.
 */
public final class VcenterClient implements AutoCloseable {

    public static final String SESSION_HEADER = "vmware-api-session-id";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int NAMES_PER_REQUEST = 50;
    private static final int ATTEMPTS = 3;

    private final URI endpoint;
    private final String username;
    private final Secret password;
    private final boolean insecure;
    private final Trust trust;
    private final HttpClient http;
    private String session;

    /**
     * A client for the vCenter at {@code endpoint} ({@code https://vc.example.com}). With
     * {@code insecure}, this client alone accepts any certificate and host name (self-signed vCenters).
     */
    public VcenterClient(URI endpoint, String username, Secret password, boolean insecure) {
        this(endpoint, username, password, insecure ? Trust.insecure() : Trust.system());
    }

    /** A client that accepts the certificates {@code trust} accepts (the system's CAs and a CA bundle, or any). */
    public VcenterClient(URI endpoint, String username, Secret password, Trust trust) {
        this.endpoint = normalise(requireNonNull(endpoint, "endpoint is null"));
        this.username = requireNonNull(username, "username is null");
        this.password = requireNonNull(password, "password is null");
        this.trust = requireNonNull(trust, "trust is null");
        this.insecure = trust.isInsecure();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(trust.context())
                .build();
    }

    /** The certificates this client (and downloads from the hosts vCenter names) accepts. */
    public Trust trust() {
        return trust;
    }

    public URI endpoint() {
        return endpoint;
    }

    public boolean insecure() {
        return insecure;
    }

    /**
     * Every VM whose name is one of {@code names}, found with as few list calls as the URL allows.
     * Names are not unique in vCenter (two folders may hold a "web-01"), so a name may match several.
     */
    public List<VmSummary> findByNames(Collection<String> names) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(names));
        List<VmSummary> found = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += NAMES_PER_REQUEST) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + NAMES_PER_REQUEST));
            String query = chunk.stream().map(name -> "names=" + encode(name)).collect(Collectors.joining("&"));
            JsonNode list = get("/api/vcenter/vm?" + query);
            if (!list.isArray()) {
                throw unexpected("GET /api/vcenter/vm", "a JSON array of VMs");
            }
            for (JsonNode vm : list) {
                found.add(new VmSummary(text(vm, "vm"), text(vm, "name"), vm.path("power_state").asText("UNKNOWN"),
                        vm.hasNonNull("cpu_count") ? OptionalInt.of(vm.get("cpu_count").asInt()) : OptionalInt.empty(),
                        vm.hasNonNull("memory_size_MiB") ? OptionalLong.of(vm.get("memory_size_MiB").asLong()) : OptionalLong.empty()));
            }
        }
        return found;
    }

    /** The hardware and state of the VM with identifier {@code vm} ({@code vm-42}). */
    public VmInfo vm(String vm) {
        String path = "/api/vcenter/vm/" + encode(vm);
        JsonNode info = get(path);
        List<VmInfo.Disk> disks = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : fields(info.path("disks"))) {
            JsonNode disk = entry.getValue();
            disks.add(new VmInfo.Disk(entry.getKey(), disk.path("label").asText("Hard disk " + entry.getKey()),
                    disk.hasNonNull("capacity") ? OptionalLong.of(disk.get("capacity").asLong()) : OptionalLong.empty(),
                    optional(disk.path("backing"), "vmdk_file")));
        }
        List<VmInfo.Nic> nics = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : fields(info.path("nics"))) {
            JsonNode nic = entry.getValue();
            nics.add(new VmInfo.Nic(entry.getKey(), nic.path("label").asText("Network adapter " + entry.getKey()), optional(nic, "type"),
                    optional(nic, "mac_address"), optional(nic, "state"), optional(nic.path("backing"), "network_name")));
        }
        if (!info.path("cpu").hasNonNull("count") || !info.path("memory").hasNonNull("size_MiB")) {
            throw new VcenterException("vCenter " + endpoint + " has no CPU or memory configuration for VM " + vm
                    + " (GET " + path + "): its configuration files may be inaccessible; check the VM in the vSphere Client");
        }
        return new VmInfo(vm, text(info, "name"), info.path("guest_OS").asText("OTHER"), info.path("power_state").asText("UNKNOWN"),
                info.path("cpu").path("count").asInt(), info.path("memory").path("size_MiB").asLong(), disks, nics,
                optional(info.path("boot"), "type"), optional(info.path("hardware"), "version"));
    }

    /**
     * {@code method path} with a JSON {@code body} (or none) and, for creations, vCenter's {@code Client-Token}
     * so that a retried request does not create twice. Returns the answer's JSON, {@code null} for 204, and
     * {@link Optional#empty()} for 404.
     */
    public Optional<JsonNode> call(String method, String path, JsonNode body, Optional<String> clientToken, Duration timeout) {
        String what = method + " " + path.replaceAll("\\?.*", "");
        boolean loggedInAgain = false;
        while (true) {
            String current = session();
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(endpoint + path)).timeout(timeout)
                    .header("Accept", "application/json").header(SESSION_HEADER, current);
            clientToken.ifPresent(token -> builder.header("Client-Token", token));
            if (body != null) {
                builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
            } else {
                builder.method(method, HttpRequest.BodyPublishers.noBody());
            }
            // creations carry a client token, so they may be sent again like reads
            HttpResponse<String> response = send(builder.build(), what, method.equals("GET") || clientToken.isPresent());
            if (response.statusCode() == 401 && !loggedInAgain) {
                synchronized (this) {
                    if (current.equals(session)) {
                        session = null;
                    }
                }
                loggedInAgain = true;
                continue;
            }
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() == 204) {
                return Optional.of(com.fasterxml.jackson.databind.node.NullNode.getInstance());
            }
            if (response.statusCode() < 200 || response.statusCode() > 299) {
                throw failure(what, response);
            }
            return Optional.of(response.body().isBlank() ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : parse(response.body(), what));
        }
    }

    /** As {@link #call}, with the usual request timeout; a 404 is an error naming {@code what}. */
    public JsonNode require(String method, String path, JsonNode body, Optional<String> clientToken, String missing) {
        return call(method, path, body, clientToken, REQUEST_TIMEOUT).orElseThrow(() -> new VcenterException("vCenter " + endpoint
                + " has no " + missing + " (" + method + " " + path.replaceAll("\\?.*", "") + " answered 404)"));
    }

    /** {@link #call} with the usual request timeout. */
    public Optional<JsonNode> call(String method, String path, JsonNode body, Optional<String> clientToken) {
        return call(method, path, body, clientToken, REQUEST_TIMEOUT);
    }

    /** A path segment or query value, percent-encoded. */
    public static String encoded(String text) {
        return encode(text);
    }

    /** Ends the session, if one was opened; a failure here is not worth failing the command for. */
    @Override
    public synchronized void close() {
        if (session == null) {
            return;
        }
        try {
            HttpRequest request = request("/api/session").header(SESSION_HEADER, session).DELETE().build();
            http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // vCenter expires idle sessions by itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            session = null;
        }
    }

    private JsonNode get(String path) {
        String what = "GET " + path.replaceAll("\\?.*", "");
        boolean loggedInAgain = false;
        while (true) {
            String current = session();
            HttpResponse<String> response = send(request(path).header(SESSION_HEADER, current).GET().build(), what, true);
            if (response.statusCode() == 401 && !loggedInAgain) {
                // The session expired (vCenter drops idle ones): log in once more.
                synchronized (this) {
                    if (current.equals(session)) {
                        session = null;
                    }
                }
                loggedInAgain = true;
                continue;
            }
            if (response.statusCode() == 404) {
                throw new VcenterException("vCenter " + endpoint + " has no such object (" + what + " answered 404" + detail(response) + ")");
            }
            if (response.statusCode() != 200) {
                throw failure(what, response);
            }
            return parse(response.body(), what);
        }
    }

    private synchronized String session() {
        if (session != null) {
            return session;
        }
        String credentials = username + ":" + password.reveal();
        HttpRequest request = request("/api/session")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = send(request, "POST /api/session", false);
        if (response.statusCode() == 401) {
            throw new VcenterException("vCenter " + endpoint + " refused the user name and password for '" + username
                    + "' (POST /api/session answered 401): check providers.vsphere.username and the password reference");
        }
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw failure("POST /api/session", response);
        }
        JsonNode body = parse(response.body(), "POST /api/session");
        // /api answers a bare JSON string; the older /rest gateway wrapped it as {"value": ...}
        JsonNode id = body.isTextual() ? body : body.path("value");
        if (!id.isTextual() || id.asText().isBlank()) {
            throw unexpected("POST /api/session", "a session id");
        }
        session = id.asText();
        return session;
    }

    private HttpResponse<String> send(HttpRequest request, String what, boolean idempotent) {
        IOException last = null;
        for (int attempt = 1; attempt <= (idempotent ? ATTEMPTS : 1); attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (idempotent && attempt < ATTEMPTS && (response.statusCode() == 502 || response.statusCode() == 503
                        || response.statusCode() == 504)) {
                    pause(attempt);
                    continue;
                }
                return response;
            } catch (SSLHandshakeException e) {
                throw new VcenterException(trust.untrusted("vCenter", request.uri(), e), e);
            } catch (HttpConnectTimeoutException e) {
                last = e;
            } catch (ConnectException e) {
                throw new VcenterException("cannot connect to vCenter " + endpoint + " (" + what + "): "
                        + (e.getMessage() == null ? "connection refused" : e.getMessage()) + "; check providers.vsphere.vcenter", e);
            } catch (HttpTimeoutException e) {
                last = e;
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VcenterException("interrupted while waiting for vCenter " + endpoint + " (" + what + ")", e);
            }
            pause(attempt);
        }
        String reason = last instanceof HttpTimeoutException ? "it did not answer in time"
                : last == null || last.getMessage() == null ? String.valueOf(last) : last.getMessage();
        throw new VcenterException("vCenter " + endpoint + " did not answer " + what + ": " + reason
                + "; check that the address is right and reachable from here", last);
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(250L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(endpoint + path)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    }

    private VcenterException failure(String what, HttpResponse<String> response) {
        String advice = switch (response.statusCode()) {
            case 401 -> ": the session was refused; check the user name and password";
            case 403 -> ": user '" + username + "' lacks the privilege to read this; give it at least the Read-only role on the VM";
            case 503 -> ": vCenter is busy or starting; try again in a few minutes";
            default -> "";
        };
        return new VcenterException("vCenter " + endpoint + " answered " + what + " with HTTP " + response.statusCode() + detail(response) + advice);
    }

    /** The vAPI error body: {@code {"error_type": "NOT_FOUND", "messages": [{"default_message": ...}]}}. */
    private static String detail(HttpResponse<String> response) {
        try {
            JsonNode error = JSON.readTree(response.body());
            String type = error.path("error_type").asText("");
            String message = error.path("messages").path(0).path("default_message").asText("");
            if (type.isEmpty() && message.isEmpty()) {
                return "";
            }
            return " (" + (type.isEmpty() ? "" : type + (message.isEmpty() ? "" : ": ")) + message + ")";
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return "";
        }
    }

    private JsonNode parse(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw unexpected(what, "JSON");
        }
    }

    private VcenterException unexpected(String what, String expected) {
        return new VcenterException("vCenter " + endpoint + " answered " + what + " with something other than " + expected
                + ": is providers.vsphere.vcenter the address of a vCenter Server 7.0 U2 or later?");
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode object) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            entries.add(it.next());
        }
        // device keys are numbers (2000, 2001): order them as the VM's devices are ordered
        entries.sort(Comparator.comparing((Map.Entry<String, JsonNode> e) -> e.getKey().length()).thenComparing(Map.Entry::getKey));
        return entries;
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).asText("");
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() && !value.asText().isBlank() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI normalise(URI endpoint) {
        String text = endpoint.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.endsWith("/api")) {
            text = text.substring(0, text.length() - 4);
        }
        return URI.create(text);
    }

    @Override
    public String toString() {
        return "vCenter " + endpoint + " (user " + username + (insecure ? ", TLS checks off" : "") + ")";
    }
}
