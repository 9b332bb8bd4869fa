package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.http.Router;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.FirewallDevice;
import dev.ferry.sandbox.world.FirewallRules;
import dev.ferry.sandbox.world.LinodeEvent;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeType;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Linode API v4 under {@code /v4}: plans, regions, image upload, Linodes, Cloud Firewalls and their
 * devices, account events. Bearer token, {@code {data,page,pages,results}} pages, {@code X-Filter},
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
    private static final Set<String> FIREWALL_FILTERS = Set.of("id", "label", "status", "tags", "created", "updated");
    private static final Set<String> DEVICE_FILTERS = Set.of("id", "created", "updated", "entity.id", "entity.type");
    private static final Set<String> EVENT_FILTERS = Set.of("id", "action", "created", "entity.id", "entity.type",
            "entity.label", "status", "seen", "read", "username");

    private final World world;
    private final Supplier<URI> endpoint;
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
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        route("GET", "/linode/types", "/linode/types", (c, m, b) -> page(c, world.read(w -> w.linodeTypes().stream()
                .map(t -> (JsonNode) LinodeJson.type(t)).toList()), TYPE_FILTERS));
        route("GET", "/linode/types/([^/]+)", "/linode/types/{typeId}", (c, m, b) -> world.read(w ->
                LinodeJson.type(w.linodeType(m.group(1)).orElseThrow(LinodeException::notFound))));
        route("GET", "/regions", "/regions", (c, m, b) -> page(c, world.read(w -> w.linodeRegions().stream()
                .map(r -> (JsonNode) LinodeJson.region(r)).toList()), REGION_FILTERS));
        route("GET", "/regions/([^/]+)", "/regions/{regionId}", (c, m, b) -> world.read(w ->
                LinodeJson.region(w.linodeRegion(m.group(1)).orElseThrow(LinodeException::notFound))));
        route("POST", "/images/upload", "/images/upload", this::uploadImage);
        route("GET", "/images", "/images", (c, m, b) -> page(c, listImages(), IMAGE_FILTERS));
        route("GET", "/images/((?:private|linode)/[^/]+)", "/images/{imageId}", (c, m, b) -> getImage(m.group(1)));
        route("PUT", "/images/((?:private|linode)/[^/]+)", "/images/{imageId}", this::updateImage);
        route("DELETE", "/images/((?:private|linode)/[^/]+)", "/images/{imageId}", this::deleteImage);
        route("GET", "/linode/instances", "/linode/instances", (c, m, b) -> page(c, world.read(w ->
                w.linodeInstances().values().stream().map(l -> (JsonNode) LinodeJson.instance(l, w)).toList()),
                LINODE_FILTERS));
        route("POST", "/linode/instances", "/linode/instances", this::createLinode);
        route("GET", "/linode/instances/(\\d+)", "/linode/instances/{linodeId}", (c, m, b) -> world.read(w ->
                LinodeJson.instance(linode(w, m.group(1)), w)));
        route("PUT", "/linode/instances/(\\d+)", "/linode/instances/{linodeId}", this::updateLinode);
        route("DELETE", "/linode/instances/(\\d+)", "/linode/instances/{linodeId}", this::deleteLinode);
        route("GET", "/linode/instances/(\\d+)/firewalls", "/linode/instances/{linodeId}/firewalls",
                (c, m, b) -> page(c, world.read(w -> {
                    LinodeInstance linode = linode(w, m.group(1));
                    return w.firewalls().values().stream()
                            .filter(f -> f.devices().stream().anyMatch(d -> d.entityId() == linode.id()))
                            .map(f -> (JsonNode) LinodeJson.firewall(f)).toList();
                }), FIREWALL_FILTERS));
        route("GET", "/networking/firewalls", "/networking/firewalls", (c, m, b) -> page(c, world.read(w ->
                w.firewalls().values().stream().map(f -> (JsonNode) LinodeJson.firewall(f)).toList()),
                FIREWALL_FILTERS));
        route("POST", "/networking/firewalls", "/networking/firewalls", this::createFirewall);
        route("GET", "/networking/firewalls/(\\d+)", "/networking/firewalls/{firewallId}", (c, m, b) ->
                world.read(w -> LinodeJson.firewall(firewall(w, m.group(1)))));
        route("PUT", "/networking/firewalls/(\\d+)", "/networking/firewalls/{firewallId}", this::updateFirewall);
        route("DELETE", "/networking/firewalls/(\\d+)", "/networking/firewalls/{firewallId}", this::deleteFirewall);
        route("GET", "/networking/firewalls/(\\d+)/rules", "/networking/firewalls/{firewallId}/rules",
                (c, m, b) -> world.read(w -> LinodeJson.rules(firewall(w, m.group(1)).rules())));
        route("PUT", "/networking/firewalls/(\\d+)/rules", "/networking/firewalls/{firewallId}/rules",
                this::updateRules);
        route("GET", "/networking/firewalls/(\\d+)/devices", "/networking/firewalls/{firewallId}/devices",
                (c, m, b) -> page(c, world.read(w -> firewall(w, m.group(1)).devices().stream()
                        .map(d -> (JsonNode) LinodeJson.device(d, w)).toList()), DEVICE_FILTERS));
        route("POST", "/networking/firewalls/(\\d+)/devices", "/networking/firewalls/{firewallId}/devices",
                this::addDevice);
        route("GET", "/networking/firewalls/(\\d+)/devices/(\\d+)",
                "/networking/firewalls/{firewallId}/devices/{deviceId}", (c, m, b) -> world.read(w ->
                        LinodeJson.device(device(firewall(w, m.group(1)), m.group(2)), w)));
        route("DELETE", "/networking/firewalls/(\\d+)/devices/(\\d+)",
                "/networking/firewalls/{firewallId}/devices/{deviceId}", this::removeDevice);
        route("GET", "/account/events", "/account/events", (c, m, b) -> page(c, world.read(w ->
                w.events().values().stream().sorted(Comparator.comparingLong(LinodeEvent::id).reversed())
                        .map(e -> (JsonNode) LinodeJson.event(e)).toList()), EVENT_FILTERS));
        route("GET", "/account/events/(\\d+)", "/account/events/{eventId}", (c, m, b) -> world.read(w -> {
            LinodeEvent event = w.events().get(Long.parseLong(m.group(1)));
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

    // ---- paging ----

    private static JsonNode page(HttpCall call, List<JsonNode> all, Set<String> filterable) {
        int page = intParameter(call, "page", 1);
        int pageSize = intParameter(call, "page_size", 100);
        if (page < 1) {
            throw LinodeException.field("page", "Must be greater than or equal to 1");
        }
        if (pageSize < 25 || pageSize > 500) {
            throw LinodeException.field("page_size", "Must be 25-500");
        }
        List<JsonNode> filtered = XFilter.parse(call.header("X-Filter"), filterable).apply(all);
        int results = filtered.size();
        int pages = Math.max(1, (results + pageSize - 1) / pageSize);
        int from = Math.min(results, (page - 1) * pageSize);
        int to = Math.min(results, from + pageSize);
        ObjectNode node = Json.object();
        ArrayNode data = node.putArray("data");
        filtered.subList(from, to).forEach(data::add);
        node.put("page", page);
        node.put("pages", pages);
        node.put("results", results);
        return node;
    }

    private static int intParameter(HttpCall call, String name, int fallback) {
        String value = call.queryParameter(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw LinodeException.field(name, "Must be an integer");
        }
    }

    // ---- images ----

    private List<JsonNode> listImages() {
        return world.read(w -> {
            List<JsonNode> images = new ArrayList<>();
            w.linodeImages().values().stream().filter(i -> !i.status().equals("failed"))
                    .forEach(i -> images.add(LinodeJson.image(i)));
            LinodeJson.PUBLIC_IMAGES.forEach(p -> images.add(LinodeJson.publicImage(p)));
            return images;
        });
    }

    private JsonNode getImage(String id) {
        return world.read(w -> {
            Optional<LinodeJson.PublicImage> shared = LinodeJson.PUBLIC_IMAGES.stream()
                    .filter(p -> p.id().equals(id)).findFirst();
            if (shared.isPresent()) {
                return LinodeJson.publicImage(shared.get());
            }
            return LinodeJson.image(privateImage(w, id));
        });
    }

    private static LinodeImage privateImage(World w, String id) {
        if (!id.startsWith("private/")) {
            throw LinodeException.notFound();
        }
        long number;
        try {
            number = Long.parseLong(id.substring("private/".length()));
        } catch (NumberFormatException e) {
            throw LinodeException.notFound();
        }
        LinodeImage image = w.linodeImages().get(number);
        if (image == null || image.status().equals("failed")) {
            throw LinodeException.notFound();
        }
        return image;
    }

    private JsonNode uploadImage(HttpCall call, Matcher path, JsonNode body) {
        JsonNode labelNode = body.get("label");
        if (labelNode == null || !labelNode.isTextual() || labelNode.asText().isEmpty()) {
            throw LinodeException.field("label", "label is required");
        }
        String label = labelNode.asText();
        if (label.length() > 50) {
            throw LinodeException.field("label", "Length must be 1-50 characters");
        }
        JsonNode regionNode = body.get("region");
        if (regionNode == null || !regionNode.isTextual()) {
            throw LinodeException.field("region", "region is required");
        }
        String region = regionNode.asText();
        String description = body.hasNonNull("description") ? body.get("description").asText() : null;
        if (description != null && description.length() > 65000) {
            throw LinodeException.field("description", "Length must be 0-65000 characters");
        }
        List<String> tags = LinodeValidation.tags(body.get("tags"), 3, 100);
        boolean cloudInit = body.path("cloud_init").asBoolean(false);
        return world.write(w -> {
            if (w.linodeRegion(region).isEmpty()) {
                throw LinodeException.field("region", "region is not valid");
            }
            long number = w.nextImageNumber();
            String token = w.ids().hex(32);
            Instant now = w.now();
            LinodeImage image = new LinodeImage(number, label, description, region, "pending_upload", now, now, null,
                    0, tags, cloudInit, token, null, null);
            w.linodeImages().put(number, image);
            w.addEvent("image_upload", "started", "image", number, label, "/v4/images/" + image.id(), null);
            ObjectNode result = Json.object();
            result.set("image", LinodeJson.image(image));
            result.put("upload_to", uploadUrl(token));
            return result;
        });
    }

    /** The pre-signed style URL an upload goes to; its signature ties it to the token. */
    private String uploadUrl(String token) {
        return endpoint.get() + Router.UPLOAD_PREFIX + token + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=" + signature(token);
    }

    static String signature(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(("ferry-sandbox-upload:" + token)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode updateImage(HttpCall call, Matcher path, JsonNode body) {
        String id = path.group(1);
        return world.write(w -> {
            if (LinodeJson.PUBLIC_IMAGES.stream().anyMatch(p -> p.id().equals(id))) {
                throw new LinodeException(403, List.of(new LinodeException.FieldError(null, "Unauthorized")));
            }
            LinodeImage image = privateImage(w, id);
            String label = body.hasNonNull("label") ? body.get("label").asText() : image.label();
            if (label.isEmpty() || label.length() > 50) {
                throw LinodeException.field("label", "Length must be 1-50 characters");
            }
            String description = body.hasNonNull("description") ? body.get("description").asText()
                    : image.description();
            List<String> tags = body.has("tags") ? LinodeValidation.tags(body.get("tags"), 3, 100) : image.tags();
            LinodeImage updated = image.withLabel(label, description, tags, w.now());
            w.linodeImages().put(image.number(), updated);
            return LinodeJson.image(updated);
        });
    }

    private JsonNode deleteImage(HttpCall call, Matcher path, JsonNode body) {
        String id = path.group(1);
        world.writeAndForget(w -> {
            if (LinodeJson.PUBLIC_IMAGES.stream().anyMatch(p -> p.id().equals(id))) {
                throw new LinodeException(403, List.of(new LinodeException.FieldError(null, "Unauthorized")));
            }
            LinodeImage image = privateImage(w, id);
            w.linodeImages().remove(image.number());
            w.addEvent("image_delete", "notification", "image", image.number(), image.label(),
                    "/v4/images/" + image.id(), null);
        });
        return Json.object();
    }

    // ---- Linodes ----

    private static LinodeInstance linode(World w, String id) {
        LinodeInstance linode = w.linodeInstances().get(Long.parseLong(id));
        if (linode == null) {
            throw LinodeException.notFound();
        }
        return linode;
    }

    private JsonNode createLinode(HttpCall call, Matcher path, JsonNode body) {
        String typeId = text(body, "type");
        if (typeId == null) {
            throw LinodeException.field("type", "type is required");
        }
        String region = text(body, "region");
        if (region == null) {
            throw LinodeException.field("region", "region is required");
        }
        String label = body.has("label") ? LinodeValidation.label("label", body.get("label"), 3, 64) : null;
        String image = text(body, "image");
        if (image != null) {
            LinodeValidation.rootPassword(body.get("root_pass"));
        } else if (body.hasNonNull("root_pass")) {
            LinodeValidation.rootPassword(body.get("root_pass"));
        }
        List<String> keys = LinodeValidation.sshKeys(body.get("authorized_keys"));
        List<String> tags = LinodeValidation.tags(body.get("tags"), 3, 50);
        String group = text(body, "group");
        boolean booted = body.path("booted").asBoolean(true) && image != null;
        Long firewallId = body.hasNonNull("firewall_id") ? body.get("firewall_id").asLong() : null;
        return world.write(w -> {
            LinodeType type = w.linodeType(typeId).orElseThrow(() -> LinodeException.field("type",
                    "A valid plan type by that ID was not found"));
            if (w.linodeRegion(region).isEmpty()) {
                throw LinodeException.field("region", "region is not valid");
            }
            if (image != null) {
                int sizeMb;
                Optional<LinodeJson.PublicImage> shared = LinodeJson.PUBLIC_IMAGES.stream()
                        .filter(p -> p.id().equals(image)).findFirst();
                if (shared.isPresent()) {
                    sizeMb = shared.get().sizeMb();
                } else {
                    LinodeImage own;
                    try {
                        own = privateImage(w, image);
                    } catch (LinodeException e) {
                        throw LinodeException.field("image", "Image " + image + " not found");
                    }
                    if (!own.status().equals("available")) {
                        throw LinodeException.field("image", "Image " + image + " is not available (status "
                                + own.status() + ")");
                    }
                    if (!own.region().equals(region)) {
                        throw LinodeException.field("image", "Image " + image + " is not available in " + region);
                    }
                    sizeMb = (int) own.sizeMb();
                }
                if (sizeMb > type.disk()) {
                    throw LinodeException.field("type", "The image (" + sizeMb + " MB) does not fit on the plan's "
                            + type.disk() + " MB disk");
                }
            }
            Firewall firewall = null;
            if (firewallId != null) {
                firewall = w.firewalls().get(firewallId);
                if (firewall == null) {
                    throw LinodeException.field("firewall_id", "Firewall " + firewallId + " not found");
                }
            }
            long id = w.nextLinodeId();
            String finalLabel = label == null ? "linode" + id : label;
            if (w.linodeInstances().values().stream().anyMatch(l -> l.label().equals(finalLabel))) {
                throw LinodeException.field("label", "Label must be unique among your linodes");
            }
            Instant now = w.now();
            Instant bootingAt = now.plus(w.clock().scaled(World.LINODE_PROVISIONING_DURATION));
            Instant readyAt = bootingAt.plus(w.clock().scaled(World.LINODE_BOOTING_DURATION));
            String ip = w.nextLinodePublicIp();
            String ipv6 = String.format("2600:3c0a::f03c:95ff:fe%02x:%04x/128", (id / 65536) % 256, id % 65536);
            LinodeInstance linode = new LinodeInstance(id, finalLabel, region, type.id(), image, "provisioning",
                    booted, now, now, bootingAt, readyAt, List.of(ip), ipv6, tags, group, true, keys);
            w.linodeInstances().put(id, linode);
            w.addEvent("linode_create", "started", "linode", id, finalLabel, "/v4/linode/instances/" + id, null);
            if (firewall != null) {
                List<FirewallDevice> devices = new ArrayList<>(firewall.devices());
                requireFreeLinode(w, id);
                devices.add(new FirewallDevice(w.nextDeviceId(), id, "linode", now));
                w.firewalls().put(firewall.id(), firewall.withDevices(devices, now));
            }
            return LinodeJson.instance(linode, w);
        });
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw LinodeException.field(field, field + " must be a string");
        }
        return value.asText();
    }

    private JsonNode updateLinode(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            LinodeInstance linode = linode(w, path.group(1));
            String label = body.has("label") ? LinodeValidation.label("label", body.get("label"), 3, 64)
                    : linode.label();
            if (!label.equals(linode.label()) && w.linodeInstances().values().stream()
                    .anyMatch(l -> l.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your linodes");
            }
            List<String> tags = body.has("tags") ? LinodeValidation.tags(body.get("tags"), 3, 50) : linode.tags();
            String group = body.has("group") ? body.get("group").asText() : linode.group();
            boolean watchdog = body.has("watchdog_enabled") ? body.get("watchdog_enabled").asBoolean()
                    : linode.watchdogEnabled();
            LinodeInstance updated = linode.withSettings(label, tags, group, watchdog, w.now());
            w.linodeInstances().put(linode.id(), updated);
            w.addEvent("linode_update", "notification", "linode", linode.id(), label,
                    "/v4/linode/instances/" + linode.id(), null);
            return LinodeJson.instance(updated, w);
        });
    }

    private JsonNode deleteLinode(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            LinodeInstance linode = linode(w, path.group(1));
            w.linodeInstances().remove(linode.id());
            for (Firewall firewall : List.copyOf(w.firewalls().values())) {
                List<FirewallDevice> remaining = firewall.devices().stream()
                        .filter(d -> d.entityId() != linode.id()).toList();
                if (remaining.size() != firewall.devices().size()) {
                    w.firewalls().put(firewall.id(), firewall.withDevices(remaining, w.now()));
                }
            }
            w.addEvent("linode_delete", "notification", "linode", linode.id(), linode.label(),
                    "/v4/linode/instances/" + linode.id(), null);
        });
        return Json.object();
    }

    // ---- firewalls ----

    private static Firewall firewall(World w, String id) {
        Firewall firewall = w.firewalls().get(Long.parseLong(id));
        if (firewall == null) {
            throw LinodeException.notFound();
        }
        return firewall;
    }

    private static FirewallDevice device(Firewall firewall, String id) {
        long deviceId = Long.parseLong(id);
        return firewall.devices().stream().filter(d -> d.id() == deviceId).findFirst()
                .orElseThrow(LinodeException::notFound);
    }

    /** A Linode can be behind one firewall only. */
    private static void requireFreeLinode(World w, long linodeId) {
        for (Firewall firewall : w.firewalls().values()) {
            if (firewall.devices().stream().anyMatch(d -> d.entityId() == linodeId && d.type().equals("linode"))) {
                throw LinodeException.field("id", "Linode " + linodeId + " already belongs to firewall "
                        + firewall.id() + "; a Linode can be assigned to only one firewall");
            }
        }
    }

    private JsonNode createFirewall(HttpCall call, Matcher path, JsonNode body) {
        if (!body.has("label")) {
            throw LinodeException.field("label", "label is required");
        }
        String label = LinodeValidation.label("label", body.get("label"), 3, 32);
        if (!body.has("rules")) {
            throw LinodeException.field("rules", "rules is required");
        }
        FirewallRules rules = LinodeValidation.rules(body.get("rules"), 1);
        List<String> tags = LinodeValidation.tags(body.get("tags"), 3, 50);
        List<Long> linodes = new ArrayList<>();
        JsonNode devices = body.get("devices");
        if (devices != null && !devices.isNull()) {
            devices.path("linodes").forEach(n -> linodes.add(n.asLong()));
            if (devices.path("nodebalancers").size() > 0) {
                throw LinodeException.field("devices.nodebalancers", "The sandbox has no NodeBalancers");
            }
        }
        return world.write(w -> {
            if (w.firewalls().values().stream().anyMatch(f -> f.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your firewalls");
            }
            Instant now = w.now();
            List<FirewallDevice> attached = new ArrayList<>();
            for (long linodeId : linodes) {
                if (!w.linodeInstances().containsKey(linodeId)) {
                    throw LinodeException.field("devices.linodes", "Linode " + linodeId + " not found");
                }
                requireFreeLinode(w, linodeId);
                attached.add(new FirewallDevice(w.nextDeviceId(), linodeId, "linode", now));
            }
            long id = w.nextFirewallId();
            Firewall firewall = new Firewall(id, label, "enabled", rules, tags, attached, now, now);
            w.firewalls().put(id, firewall);
            w.addEvent("firewall_create", "notification", "firewall", id, label, "/v4/networking/firewalls/" + id,
                    null);
            return LinodeJson.firewall(firewall);
        });
    }

    private JsonNode updateFirewall(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            Firewall firewall = firewall(w, path.group(1));
            String label = body.has("label") ? LinodeValidation.label("label", body.get("label"), 3, 32)
                    : firewall.label();
            if (!label.equals(firewall.label()) && w.firewalls().values().stream()
                    .anyMatch(f -> f.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your firewalls");
            }
            String status = body.has("status") ? body.get("status").asText() : firewall.status();
            if (!status.equals("enabled") && !status.equals("disabled")) {
                throw LinodeException.field("status", "Must be one of enabled, disabled");
            }
            List<String> tags = body.has("tags") ? LinodeValidation.tags(body.get("tags"), 3, 50) : firewall.tags();
            Firewall updated = firewall.withSettings(label, status, tags, w.now());
            w.firewalls().put(firewall.id(), updated);
            w.addEvent("firewall_update", "notification", "firewall", firewall.id(), label,
                    "/v4/networking/firewalls/" + firewall.id(), null);
            return LinodeJson.firewall(updated);
        });
    }

    private JsonNode deleteFirewall(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            Firewall firewall = firewall(w, path.group(1));
            w.firewalls().remove(firewall.id());
            w.addEvent("firewall_delete", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
        });
        return Json.object();
    }

    private JsonNode updateRules(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            Firewall firewall = firewall(w, path.group(1));
            FirewallRules rules = LinodeValidation.rules(body, firewall.rules().version() + 1);
            Firewall updated = firewall.withRules(rules, w.now());
            w.firewalls().put(firewall.id(), updated);
            w.addEvent("firewall_update", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
            return LinodeJson.rules(rules);
        });
    }

    private JsonNode addDevice(HttpCall call, Matcher path, JsonNode body) {
        if (!body.hasNonNull("id")) {
            throw LinodeException.field("id", "id is required");
        }
        if (!body.hasNonNull("type")) {
            throw LinodeException.field("type", "type is required");
        }
        String type = body.get("type").asText();
        if (!type.equals("linode") && !type.equals("nodebalancer")) {
            throw LinodeException.field("type", "Must be one of linode, nodebalancer");
        }
        if (type.equals("nodebalancer")) {
            throw LinodeException.field("id", "The sandbox has no NodeBalancers");
        }
        long linodeId = body.get("id").asLong();
        return world.write(w -> {
            Firewall firewall = firewall(w, path.group(1));
            if (!w.linodeInstances().containsKey(linodeId)) {
                throw LinodeException.field("id", "Linode " + linodeId + " not found");
            }
            requireFreeLinode(w, linodeId);
            FirewallDevice device = new FirewallDevice(w.nextDeviceId(), linodeId, "linode", w.now());
            List<FirewallDevice> devices = new ArrayList<>(firewall.devices());
            devices.add(device);
            w.firewalls().put(firewall.id(), firewall.withDevices(devices, w.now()));
            w.addEvent("firewall_device_add", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
            return LinodeJson.device(device, w);
        });
    }

    private JsonNode removeDevice(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            Firewall firewall = firewall(w, path.group(1));
            FirewallDevice device = device(firewall, path.group(2));
            w.firewalls().put(firewall.id(), firewall.withDevices(firewall.devices().stream()
                    .filter(d -> d.id() != device.id()).toList(), w.now()));
            w.addEvent("firewall_device_remove", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
        });
        return Json.object();
    }
}
