package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.http.Router;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.world.LinodeEvent;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.sandbox.linode.LinodeConfigs.config;
import static dev.ferry.sandbox.linode.LinodeDisks.disk;
import static dev.ferry.sandbox.linode.LinodeFirewalls.device;
import static dev.ferry.sandbox.linode.LinodeFirewalls.firewall;
import static dev.ferry.sandbox.linode.LinodeInstances.linode;
import static dev.ferry.sandbox.linode.LinodePages.page;
import static dev.ferry.sandbox.linode.LinodeVolumes.volume;
import static java.util.Objects.requireNonNull;

/**
 * Linode API v4 under {@code /v4}: plans, regions, image upload, Linodes (their disks, configs, boot, reboot
 * and shutdown), Block Storage volumes, Cloud Firewalls and their devices, account events. Bearer token, {@code {data,page,pages,results}} pages, {@code X-Filter},
 * and {@code {"errors":[{"field","reason"}]}} errors as in the OpenAPI description.
 */
public final class LinodeApi implements ServiceHandler {

    private static final Set<String> TYPE_FILTERS = Set.of("id", "class", "disk", "gpus", "label", "memory",
            "network_out", "transfer", "vcpus");
    private static final Set<String> REGION_FILTERS = Set.of("id", "country", "status", "capabilities", "site-type",
            "label");
    private static final Set<String> IMAGE_FILTERS = Set.of("id", "label", "status", "created", "deprecated",
            "is_public", "size", "type", "vendor", "tags", "created_by");
    private static final Set<String> LINODE_FILTERS = Set.of("id", "label", "region", "type", "status", "tags",
            "image", "group", "created", "updated");
    private static final Set<String> DISK_FILTERS = Set.of("label", "size");
    private static final Set<String> CONFIG_FILTERS = Set.of("id", "label", "kernel");
    private static final Set<String> VOLUME_FILTERS = Set.of("id", "label", "region", "size", "status", "tags",
            "linode_id");
    private static final Set<String> FIREWALL_FILTERS = Set.of("id", "label", "status", "tags", "created", "updated");
    private static final Set<String> DEVICE_FILTERS = Set.of("id", "created", "updated", "entity.id", "entity.type");
    private static final Set<String> EVENT_FILTERS = Set.of("id", "action", "created", "entity.id", "entity.type",
            "entity.label", "status", "seen", "read", "username");

    private final World world;
    private final LinodeImages images;
    private final LinodeInstances linodes;
    private final LinodeFirewalls firewalls;
    private final LinodeDisks disks;
    private final LinodeConfigs configs;
    private final LinodeVolumes volumes;
    private final List<Route> routes = new ArrayList<>();

    private record Route(String method, Pattern pattern, String template, Endpoint endpoint) {
    }

    @FunctionalInterface
    private interface Endpoint {
        JsonNode serve(HttpCall call, Matcher path, JsonNode body);
    }


    /**
     * @param endpoint the server's base URI ({@code http://127.0.0.1:PORT}), for {@code upload_to}
     */
    public LinodeApi(World world, Supplier<URI> endpoint) {
        this.world = requireNonNull(world, "world is null");
        this.images = new LinodeImages(world, endpoint);
        this.linodes = new LinodeInstances(world);
        this.firewalls = new LinodeFirewalls(world);
        this.disks = new LinodeDisks(world);
        this.configs = new LinodeConfigs(world);
        this.volumes = new LinodeVolumes(world);
        route("GET", "/linode/types", "/linode/types", (c, m, b) -> page(c, world.read(w -> w.linode().types().stream()
                .map(t -> (JsonNode) LinodeJson.type(t)).toList()), TYPE_FILTERS));
        route("GET", "/linode/types/([^/]+)", "/linode/types/{typeId}", (c, m, b) -> world.read(w ->
                LinodeJson.type(w.linode().type(m.group(1)).orElseThrow(LinodeException::notFound))));
        route("GET", "/regions", "/regions", (c, m, b) -> page(c, world.read(w -> w.linode().regions().stream()
                .map(r -> (JsonNode) LinodeJson.region(r)).toList()), REGION_FILTERS));
        route("GET", "/regions/([^/]+)", "/regions/{regionId}", (c, m, b) -> world.read(w ->
                LinodeJson.region(w.linode().region(m.group(1)).orElseThrow(LinodeException::notFound))));
        route("POST", "/images/upload", "/images/upload", images::uploadImage);
        route("GET", "/images", "/images", (c, m, b) -> page(c, images.listImages(), IMAGE_FILTERS));
        route("GET", "/images/((?:private|linode)/[^/]+)", "/images/{imageId}",
                (c, m, b) -> images.getImage(m.group(1)));
        route("PUT", "/images/((?:private|linode)/[^/]+)", "/images/{imageId}", images::updateImage);
        route("DELETE", "/images/((?:private|linode)/[^/]+)", "/images/{imageId}", images::deleteImage);
        route("GET", "/linode/instances", "/linode/instances", (c, m, b) -> page(c, world.read(w ->
                w.linode().instances().values().stream().map(l -> (JsonNode) LinodeJson.instance(l, w)).toList()),
                LINODE_FILTERS));
        route("POST", "/linode/instances", "/linode/instances", linodes::createLinode);
        route("GET", "/linode/instances/(\\d+)", "/linode/instances/{linodeId}", (c, m, b) -> world.read(w ->
                LinodeJson.instance(linode(w, m.group(1)), w)));
        route("PUT", "/linode/instances/(\\d+)", "/linode/instances/{linodeId}", linodes::updateLinode);
        route("DELETE", "/linode/instances/(\\d+)", "/linode/instances/{linodeId}", linodes::deleteLinode);
        route("GET", "/linode/instances/(\\d+)/disks", "/linode/instances/{linodeId}/disks", (c, m, b) ->
                page(c, world.read(w -> w.linode().machines().disksOf(linode(w, m.group(1)).id()).stream()
                        .map(d -> (JsonNode) LinodeJson.disk(d)).toList()), DISK_FILTERS));
        route("POST", "/linode/instances/(\\d+)/disks", "/linode/instances/{linodeId}/disks", disks::createDisk);
        route("GET", "/linode/instances/(\\d+)/disks/(\\d+)", "/linode/instances/{linodeId}/disks/{diskId}",
                (c, m, b) -> world.read(w -> LinodeJson.disk(disk(w, linode(w, m.group(1)), m.group(2)))));
        route("DELETE", "/linode/instances/(\\d+)/disks/(\\d+)", "/linode/instances/{linodeId}/disks/{diskId}",
                disks::deleteDisk);
        route("GET", "/linode/instances/(\\d+)/configs", "/linode/instances/{linodeId}/configs", (c, m, b) ->
                page(c, world.read(w -> w.linode().machines().configsOf(linode(w, m.group(1)).id()).stream()
                        .map(x -> (JsonNode) LinodeJson.config(x)).toList()), CONFIG_FILTERS));
        route("POST", "/linode/instances/(\\d+)/configs", "/linode/instances/{linodeId}/configs",
                configs::createConfig);
        route("GET", "/linode/instances/(\\d+)/configs/(\\d+)", "/linode/instances/{linodeId}/configs/{configId}",
                (c, m, b) -> world.read(w -> LinodeJson.config(config(w, linode(w, m.group(1)), m.group(2)))));
        route("PUT", "/linode/instances/(\\d+)/configs/(\\d+)", "/linode/instances/{linodeId}/configs/{configId}",
                configs::updateConfig);
        route("DELETE", "/linode/instances/(\\d+)/configs/(\\d+)",
                "/linode/instances/{linodeId}/configs/{configId}", configs::deleteConfig);
        route("POST", "/linode/instances/(\\d+)/boot", "/linode/instances/{linodeId}/boot", configs::boot);
        route("POST", "/linode/instances/(\\d+)/reboot", "/linode/instances/{linodeId}/reboot", configs::reboot);
        route("POST", "/linode/instances/(\\d+)/shutdown", "/linode/instances/{linodeId}/shutdown",
                configs::shutdown);
        route("GET", "/linode/instances/(\\d+)/firewalls", "/linode/instances/{linodeId}/firewalls",
                (c, m, b) -> page(c, world.read(w -> {
                    LinodeInstance linode = linode(w, m.group(1));
                    return w.linode().firewalls().values().stream()
                            .filter(f -> f.devices().stream().anyMatch(d -> d.entityId() == linode.id()))
                            .map(f -> (JsonNode) LinodeJson.firewall(f)).toList();
                }), FIREWALL_FILTERS));
        route("GET", "/volumes", "/volumes", (c, m, b) -> page(c, world.read(w -> w.linode().machines().volumes()
                .values().stream().map(v -> (JsonNode) LinodeJson.volume(v, w)).toList()), VOLUME_FILTERS));
        route("POST", "/volumes", "/volumes", volumes::createVolume);
        route("GET", "/volumes/types", "/volumes/types", (c, m, b) -> page(c, List.of(LinodeJson.volumeType()),
                Set.of("label", "transfer")));
        route("GET", "/volumes/(\\d+)", "/volumes/{volumeId}", (c, m, b) -> world.read(w ->
                LinodeJson.volume(volume(w, m.group(1)), w)));
        route("DELETE", "/volumes/(\\d+)", "/volumes/{volumeId}", volumes::deleteVolume);
        route("POST", "/volumes/(\\d+)/attach", "/volumes/{volumeId}/attach", volumes::attach);
        route("POST", "/volumes/(\\d+)/detach", "/volumes/{volumeId}/detach", volumes::detach);
        route("GET", "/networking/firewalls", "/networking/firewalls", (c, m, b) -> page(c, world.read(w ->
                w.linode().firewalls().values().stream().map(f -> (JsonNode) LinodeJson.firewall(f)).toList()),
                FIREWALL_FILTERS));
        route("POST", "/networking/firewalls", "/networking/firewalls", firewalls::createFirewall);
        route("GET", "/networking/firewalls/(\\d+)", "/networking/firewalls/{firewallId}", (c, m, b) ->
                world.read(w -> LinodeJson.firewall(firewall(w, m.group(1)))));
        route("PUT", "/networking/firewalls/(\\d+)", "/networking/firewalls/{firewallId}",
                firewalls::updateFirewall);
        route("DELETE", "/networking/firewalls/(\\d+)", "/networking/firewalls/{firewallId}",
                firewalls::deleteFirewall);
        route("GET", "/networking/firewalls/(\\d+)/rules", "/networking/firewalls/{firewallId}/rules",
                (c, m, b) -> world.read(w -> LinodeJson.rules(firewall(w, m.group(1)).rules())));
        route("PUT", "/networking/firewalls/(\\d+)/rules", "/networking/firewalls/{firewallId}/rules",
                firewalls::updateRules);
        route("GET", "/networking/firewalls/(\\d+)/devices", "/networking/firewalls/{firewallId}/devices",
                (c, m, b) -> page(c, world.read(w -> firewall(w, m.group(1)).devices().stream()
                        .map(d -> (JsonNode) LinodeJson.device(d, w)).toList()), DEVICE_FILTERS));
        route("POST", "/networking/firewalls/(\\d+)/devices", "/networking/firewalls/{firewallId}/devices",
                firewalls::addDevice);
        route("GET", "/networking/firewalls/(\\d+)/devices/(\\d+)",
                "/networking/firewalls/{firewallId}/devices/{deviceId}", (c, m, b) -> world.read(w ->
                        LinodeJson.device(device(firewall(w, m.group(1)), m.group(2)), w)));
        route("DELETE", "/networking/firewalls/(\\d+)/devices/(\\d+)",
                "/networking/firewalls/{firewallId}/devices/{deviceId}", firewalls::removeDevice);
        route("GET", "/account/events", "/account/events", (c, m, b) -> page(c, world.read(w ->
                w.linode().events().values().stream().sorted(Comparator.comparingLong(LinodeEvent::id).reversed())
                        .map(e -> (JsonNode) LinodeJson.event(e)).toList()), EVENT_FILTERS));
        route("GET", "/account/events/(\\d+)", "/account/events/{eventId}", (c, m, b) -> world.read(w -> {
            LinodeEvent event = w.linode().events().get(Long.parseLong(m.group(1)));
            if (event == null) {
                throw LinodeException.notFound();
            }
            return LinodeJson.event(event);
        }));
    }

    private void route(String method, String path, String template, Endpoint endpoint) {
        routes.add(new Route(method, Pattern.compile(Pattern.quote(Router.LINODE_PREFIX) + path), template, endpoint));
    }

    private Optional<Route> find(HttpCall call, boolean anyMethod) {
        for (Route route : routes) {
            if (route.pattern().matcher(call.rawPath()).matches()
                    && (anyMethod || route.method().equals(call.method()))) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    @Override
    public String action(HttpCall call) {
        return find(call, false).or(() -> find(call, true))
                .map(r -> call.method() + " " + r.template())
                .orElse(call.method() + " (unknown path)");
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        String authorization = call.header("Authorization");
        String token = null;
        if (authorization != null) {
            String trimmed = authorization.trim();
            int space = trimmed.indexOf(' ');
            if (space > 0 && trimmed.substring(0, space).toLowerCase(Locale.ROOT).matches("bearer|token")) {
                token = trimmed.substring(space + 1).trim();
            }
        }
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                world.linodeToken().getBytes(StandardCharsets.UTF_8))) {
            error(call, new LinodeException(401, List.of(new LinodeException.FieldError(null, "Invalid Token"))));
            return false;
        }
        return true;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        try {
            Route route = find(call, false).orElseThrow(() -> find(call, true).isPresent()
                    ? new LinodeException(405, List.of(new LinodeException.FieldError(null, "Method Not Allowed")))
                    : LinodeException.notFound());
            JsonNode body = null;
            if (call.method().equals("POST") || call.method().equals("PUT")) {
                byte[] bytes = call.bodyBytes(1024 * 1024);
                if (bytes.length > 0) {
                    try {
                        body = Json.parse(bytes);
                    } catch (JsonProcessingException e) {
                        throw LinodeException.badRequest("Invalid JSON");
                    }
                }
                if (body == null) {
                    body = Json.object();
                }
                if (!body.isObject()) {
                    throw LinodeException.badRequest("Request body must be a JSON object");
                }
            }
            Matcher matcher = route.pattern().matcher(call.rawPath());
            if (!matcher.matches()) {
                throw LinodeException.notFound();
            }
            JsonNode result = route.endpoint().serve(call, matcher, body);
            call.respond(200, "application/json", Json.bytes(result), headers());
        } catch (LinodeException e) {
            error(call, e);
        }
    }

    private static Map<String, String> headers() {
        return Map.of("X-Spec-Version", "4.189.0", "X-OAuth-Scopes", "*", "X-RateLimit-Limit", "800");
    }

    private void error(HttpCall call, LinodeException e) throws IOException {
        ObjectNode body = Json.object();
        ArrayNode errors = body.putArray("errors");
        for (LinodeException.FieldError fieldError : e.errors()) {
            ObjectNode error = errors.addObject();
            if (fieldError.field() != null) {
                error.put("field", fieldError.field());
            }
            error.put("reason", fieldError.reason());
        }
        call.respond(e.status(), "application/json", Json.bytes(body), Map.of("X-Spec-Version", "4.189.0"));
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        String reason = switch (status) {
            case 429 -> "Too many requests";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
        ObjectNode body = Json.object();
        body.putArray("errors").addObject().put("reason", reason);
        Map<String, String> headers = status == 500 ? Map.of()
                : Map.of("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
        call.respond(status, "application/json", Json.bytes(body), headers);
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        ObjectNode body = Json.object();
        body.putArray("errors").addObject().put("reason", "Internal Server Error (sandbox: " + cause + ")");
        call.respond(500, "application/json", Json.bytes(body), Map.of());
    }
}
