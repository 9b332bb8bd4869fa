package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.http.Router;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.World;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;

import static java.util.Objects.requireNonNull;

/** Linode images: the list with the public ones, one image, an upload's start, update and delete. */
final class LinodeImages {

    private final World world;
    private final Supplier<URI> endpoint;

    LinodeImages(World world, Supplier<URI> endpoint) {
        this.world = requireNonNull(world, "world is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
    }

    List<JsonNode> listImages() {
        return world.read(w -> {
            List<JsonNode> images = new ArrayList<>();
            w.linode().images().values().stream().filter(i -> !i.status().equals("failed"))
                    .forEach(i -> images.add(LinodeJson.image(i)));
            LinodeJson.PUBLIC_IMAGES.forEach(p -> images.add(LinodeJson.publicImage(p)));
            return images;
        });
    }

    JsonNode getImage(String id) {
        return world.read(w -> {
            Optional<LinodeJson.PublicImage> shared = LinodeJson.PUBLIC_IMAGES.stream()
                    .filter(p -> p.id().equals(id)).findFirst();
            if (shared.isPresent()) {
                return LinodeJson.publicImage(shared.get());
            }
            return LinodeJson.image(privateImage(w, id));
        });
    }

    static LinodeImage privateImage(World w, String id) {
        if (!id.startsWith("private/")) {
            throw LinodeException.notFound();
        }
        long number;
        try {
            number = Long.parseLong(id.substring("private/".length()));
        } catch (NumberFormatException e) {
            throw LinodeException.notFound();
        }
        LinodeImage image = w.linode().images().get(number);
        if (image == null || image.status().equals("failed")) {
            throw LinodeException.notFound();
        }
        return image;
    }

    JsonNode uploadImage(HttpCall call, Matcher path, JsonNode body) {
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
            if (w.linode().region(region).isEmpty()) {
                throw LinodeException.field("region", "region is not valid");
            }
            long number = w.linode().nextImageNumber();
            String token = w.ids().hex(32);
            Instant now = w.now();
            LinodeImage image = new LinodeImage(number, label, description, region, "pending_upload", now, now, null,
                    0, tags, cloudInit, token, null, null);
            w.linode().images().put(number, image);
            w.linode().addEvent("image_upload", "started", "image", number, label, "/v4/images/" + image.id(), null);
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

    JsonNode updateImage(HttpCall call, Matcher path, JsonNode body) {
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
            w.linode().images().put(image.number(), updated);
            return LinodeJson.image(updated);
        });
    }

    JsonNode deleteImage(HttpCall call, Matcher path, JsonNode body) {
        String id = path.group(1);
        world.writeAndForget(w -> {
            if (LinodeJson.PUBLIC_IMAGES.stream().anyMatch(p -> p.id().equals(id))) {
                throw new LinodeException(403, List.of(new LinodeException.FieldError(null, "Unauthorized")));
            }
            LinodeImage image = privateImage(w, id);
            w.linode().images().remove(image.number());
            w.linode().addEvent("image_delete", "notification", "image", image.number(), image.label(),
                    "/v4/images/" + image.id(), null);
        });
        return Json.object();
    }
}
