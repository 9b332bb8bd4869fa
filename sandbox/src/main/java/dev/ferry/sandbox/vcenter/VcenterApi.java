package dev.ferry.sandbox.vcenter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.http.Router;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.world.VcenterSession;
import dev.ferry.sandbox.world.VirtualMachine;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The part of the vCenter Server REST API (vSphere Automation API, the {@code /api} paths of 7.0 U2 and
 * later) that reads VM inventory:
 * <ul>
 *   <li>{@code POST /api/session} with HTTP basic authentication: 201 and the session id as a bare JSON
 *       string; {@code GET /api/session} tells who it belongs to; {@code DELETE /api/session} ends it (204);</li>
 *   <li>every other call needs the {@code vmware-api-session-id} header of a live session, else 401
 *       {@code UNAUTHENTICATED};</li>
 *   <li>{@code GET /api/vcenter/vm}, filtered by repeated {@code names}, {@code vms}, {@code power_states}
 *       (and the inventory filters, which the sandbox's single datacenter, cluster, host, folder and resource
 *       pool match): a bare JSON array of {@code {vm, name, power_state, cpu_count, memory_size_MiB}}, at most
 *       4000;</li>
 *   <li>{@code GET /api/vcenter/vm/{vm}}: the VM's Info document (404 {@code NOT_FOUND} for an unknown id);
 *       {@code GET /api/vcenter/vm/{vm}/power}: its power state.</li>
 * </ul>
 * Errors are vAPI errors: {@code {"error_type", "messages": [{"args", "default_message", "id"}]}}.
 */
public final class VcenterApi implements ServiceHandler {

    public static final String SESSION_HEADER = "vmware-api-session-id";

    /** The inventory every sandbox VM lives in, for the list filters that name containers. */
    static final Map<String, String> INVENTORY = Map.of("datacenters", "datacenter-3", "clusters", "domain-c8",
            "hosts", "host-10", "folders", "group-v4", "resource_pools", "resgroup-9");
    private static final Set<String> LIST_FILTERS = Set.of("vms", "names", "power_states", "datacenters", "clusters",
            "hosts", "folders", "resource_pools");
    private static final int MAX_LISTED = 4000;

    private final World world;
    private final ContentLibraries content;
    private final List<Route> routes = new ArrayList<>();

    private record Route(String method, Pattern pattern, String template, Endpoint endpoint) {
    }

    /** What an endpoint answers: a status and a JSON document, or none (204). */
    record Answer(int status, JsonNode body) {
    }

    @FunctionalInterface
    interface Endpoint {
        Answer serve(HttpCall call, Matcher path);
    }

    /**
     * The API over {@code world}; the content libraries keep captured OVF items under {@code storage} and their
     * download sessions' files are served by {@code esxi}.
     */
    public VcenterApi(World world, EsxiHost esxi, java.nio.file.Path storage) {
        this.world = requireNonNull(world, "world is null");
        this.content = new ContentLibraries(world, esxi, storage);
        route("POST", "/session", "/session", (c, m) -> createSession());
        route("GET", "/session", "/session", (c, m) -> new Answer(200, sessionInfo(c)));
        route("DELETE", "/session", "/session", (c, m) -> deleteSession(c));
        route("GET", "/vcenter/vm", "/vcenter/vm", (c, m) -> new Answer(200, list(c)));
        route("GET", "/vcenter/vm/([^/]+)", "/vcenter/vm/{vm}", (c, m) -> new Answer(200,
                VcenterJson.info(vm(HttpCall.decode(m.group(1))))));
        route("GET", "/vcenter/vm/([^/]+)/power", "/vcenter/vm/{vm}/power", (c, m) -> new Answer(200,
                VcenterJson.power(vm(HttpCall.decode(m.group(1))))));
        route("POST", "/vcenter/vm/([^/]+)/guest/power", "/vcenter/vm/{vm}/guest/power", (c, m) -> guestPower(c,
                HttpCall.decode(m.group(1))));
        new ContentLibraryRoutes(content).register(this::route);
    }

    /** Registers one more path (the content library's, in {@link ContentLibraryRoutes}). */
    @FunctionalInterface
    interface Registrar {
        void route(String method, String path, String template, Endpoint endpoint);
    }

    /** {@code POST /api/vcenter/vm/{vm}/guest/power?action=shutdown}: VMware Tools shut the guest down (the sandbox's at once). */
    private Answer guestPower(HttpCall call, String id) {
        String action = call.queryParameter("action");
        if (!"shutdown".equals(action) && !"reboot".equals(action) && !"standby".equals(action)) {
            throw VcenterException.invalidArgument("vapi.bindings.typeconverter.enum.invalid.value",
                    "Invalid action '" + action + "': expected shutdown, reboot or standby.", String.valueOf(action));
        }
        VirtualMachine vm = vm(id);
        if (!vm.powerState().equals(VirtualMachine.POWERED_ON)) {
            throw new VcenterException(400, "NOT_ALLOWED_IN_CURRENT_STATE", "com.vmware.api.vcenter.vm.guest.power.not_on",
                    "The guest of virtual machine '" + vm.name() + "' is not running.", List.of(vm.name()));
        }
        if (action.equals("shutdown")) {
            world.writeAndForget(w -> w.vms().computeIfPresent(id, (k, v) -> v.withPowerState(VirtualMachine.POWERED_OFF)));
        }
        return new Answer(204, null);
    }

    /** The content library's documents and statuses (package-private for {@link ContentLibraries}' tests). */
    ContentLibraries content() {
        return content;
    }

    private void route(String method, String path, String template, Endpoint endpoint) {
        routes.add(new Route(method, Pattern.compile(Pattern.quote(Router.VCENTER_PREFIX) + path),
                Router.VCENTER_PREFIX + template, endpoint));
    }

    private Optional<Route> find(HttpCall call) {
        return routes.stream().filter(r -> r.method().equals(call.method())
                && r.pattern().matcher(call.rawPath()).matches()).findFirst();
    }

    @Override
    public String action(HttpCall call) {
        return find(call).map(r -> call.method() + " " + r.template())
                .orElse(call.method() + " (unknown path)");
    }

    private static boolean isLogin(HttpCall call) {
        return call.method().equals("POST") && call.rawPath().equals(Router.VCENTER_PREFIX + "/session");
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        boolean authenticated = isLogin(call) ? credentialsMatch(call.header("Authorization"))
                : sessionOf(call).isPresent();
        if (!authenticated) {
            error(call, VcenterException.unauthenticated());
        }
        return authenticated;
    }

    /** HTTP basic credentials of the sandbox's SSO user (the domain part of the name in any case). */
    private boolean credentialsMatch(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        return user.equalsIgnoreCase(world.vcenterUsername())
                && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                world.vcenterPassword().getBytes(StandardCharsets.UTF_8));
    }

    private Optional<VcenterSession> sessionOf(HttpCall call) {
        String id = call.header(SESSION_HEADER);
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        // Sessions are not persisted, so touching one needs no write (which would save the world's state).
        return world.read(w -> Optional.ofNullable(w.vcenterSessions().computeIfPresent(id.trim(),
                (k, session) -> session.accessed(w.now()))));
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        try {
            Route route = find(call).orElseThrow(VcenterException::notFound);
            Matcher matcher = route.pattern().matcher(call.rawPath());
            if (!matcher.matches()) {
                throw VcenterException.notFound();
            }
            Answer answer = route.endpoint().serve(call, matcher);
            if (answer.body() == null) {
                call.respondEmpty(answer.status(), Map.of());
            } else {
                call.respond(answer.status(), "application/json", Json.bytes(answer.body()), Map.of());
            }
        } catch (VcenterException e) {
            error(call, e);
        }
    }

    // ---- sessions ----

    private Answer createSession() {
        String id = world.read(w -> {
            String session = w.ids().hex(32);
            Instant now = w.now();
            w.vcenterSessions().put(session, new VcenterSession(session, displayName(w.vcenterUsername()), now, now));
            return session;
        });
        return new Answer(201, TextNode.valueOf(id));
    }

    private JsonNode sessionInfo(HttpCall call) {
        VcenterSession session = sessionOf(call).orElseThrow(VcenterException::unauthenticated);
        ObjectNode info = Json.object();
        info.put("user", session.user());
        info.put("created_time", timestamp(session.createdTime()));
        info.put("last_accessed_time", timestamp(session.lastAccessedTime()));
        return info;
    }

    private Answer deleteSession(HttpCall call) {
        String id = call.header(SESSION_HEADER).trim();
        world.read(w -> w.vcenterSessions().remove(id));
        return new Answer(204, null);
    }

    /** {@code administrator@vsphere.local} as vCenter shows it: {@code VSPHERE.LOCAL\administrator}. */
    static String displayName(String user) {
        int at = user.lastIndexOf('@');
        return at < 0 ? user : user.substring(at + 1).toUpperCase(Locale.ROOT) + "\\" + user.substring(0, at);
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString().replaceFirst("(\\d{2}:\\d{2}:\\d{2})Z$", "$1.000Z");
    }

    // ---- VMs ----

    private JsonNode list(HttpCall call) {
        Map<String, List<String>> query = call.queryParameters();
        for (String name : query.keySet()) {
            if (!LIST_FILTERS.contains(name)) {
                String hint = name.startsWith("filter.") ? " (filter.* parameters belong to the older /rest API; "
                        + "/api takes them without the prefix)" : "";
                throw VcenterException.invalidArgument("vapi.bindings.typeconverter.unexpected.field",
                        "Unexpected query parameter '" + name + "'" + hint + ".", name);
            }
        }
        List<String> powerStates = query.getOrDefault("power_states", List.of());
        for (String state : powerStates) {
            if (!VirtualMachine.POWER_STATES.contains(state)) {
                throw VcenterException.invalidArgument("vapi.bindings.typeconverter.enum.invalid.value",
                        "Invalid value '" + state + "' for power_states: expected POWERED_ON, POWERED_OFF or SUSPENDED.",
                        state);
            }
        }
        List<VirtualMachine> matching = world.read(w -> w.vms().values().stream()
                .filter(vm -> matches(query.get("vms"), vm.id()))
                .filter(vm -> matches(query.get("names"), vm.name()))
                .filter(vm -> matches(powerStates, vm.powerState()))
                .filter(vm -> INVENTORY.entrySet().stream().allMatch(e -> matches(query.get(e.getKey()),
                        e.getValue())))
                .toList());
        if (matching.size() > MAX_LISTED) {
            throw new VcenterException(500, "UNABLE_TO_ALLOCATE_RESOURCE",
                    "com.vmware.api.vcenter.vm.max_limit_exceeded",
                    "Too many virtual machines: " + matching.size() + " match the filter, at most " + MAX_LISTED
                            + " can be listed. Add filter criteria.", List.of(Integer.toString(matching.size())));
        }
        ArrayNode summaries = Json.array();
        matching.forEach(vm -> summaries.add(VcenterJson.summary(vm)));
        return summaries;
    }

    private static boolean matches(List<String> wanted, String value) {
        return wanted == null || wanted.isEmpty() || wanted.contains(value);
    }

    private VirtualMachine vm(String id) {
        return world.read(w -> Optional.ofNullable(w.vms().get(id))).orElseThrow(() -> VcenterException.vmNotFound(id));
    }

    // ---- errors ----

    private static void error(HttpCall call, VcenterException e) throws IOException {
        error(call, e, Map.of());
    }

    private static void error(HttpCall call, VcenterException e, Map<String, String> headers) throws IOException {
        ObjectNode body = Json.object();
        body.put("error_type", e.errorType());
        ObjectNode message = body.putArray("messages").addObject();
        ArrayNode args = message.putArray("args");
        e.args().forEach(args::add);
        message.put("default_message", e.getMessage());
        message.put("id", e.messageId());
        call.respond(e.status(), "application/json", Json.bytes(body), headers);
    }

    /**
     * 429 is vCenter's own way of saying it is overloaded: 503 {@code SERVICE_UNAVAILABLE}, with a
     * {@code Retry-After}; 500 and 503 are themselves.
     */
    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        if (status == 500) {
            error(call, new VcenterException(500, "INTERNAL_SERVER_ERROR",
                    "com.vmware.vapi.std.errors.internal_server_error", "Internal server error.", List.of()));
            return;
        }
        error(call, new VcenterException(503, "SERVICE_UNAVAILABLE", "com.vmware.vapi.std.errors.service_unavailable",
                "The service is too busy to answer; try again later.", List.of()),
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds()))));
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        error(call, new VcenterException(500, "INTERNAL_SERVER_ERROR", "com.vmware.vapi.std.errors.internal_server_error",
                "Internal server error (sandbox: " + cause + ").", List.of()));
    }
}
