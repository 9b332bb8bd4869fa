package dev.ferry.sandbox.vcenter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.vcenter.VcenterApi.Answer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The paths of the Content Library Service and OVF capture, as the vSphere Automation API (7.0 U2+) names them:
 * <ul>
 *   <li>{@code GET /api/vcenter/datastore} (filter {@code names});</li>
 *   <li>{@code POST /api/content/local-library} (LibraryModel; 201 and the id), {@code GET}/{@code DELETE
 *       /api/content/local-library/{library}}, {@code GET /api/content/library}, {@code GET
 *       /api/content/library/{library}}, {@code POST /api/content/library?action=find} ({@code {name, type}});</li>
 *   <li>{@code POST /api/vcenter/ovf/library-item} ({@code {source, target, create_spec}}; the CreateResult
 *       {@code {succeeded, ovf_library_item_id, error}}), {@code Client-Token} header for retries;</li>
 *   <li>{@code GET /api/content/library/item?library_id=}, {@code POST /api/content/library/item?action=find},
 *       {@code GET}/{@code DELETE /api/content/library/item/{item}}, {@code GET /api/content/library/item/{item}/file};</li>
 *   <li>{@code POST /api/content/library/item/download-session} ({@code {library_item_id}}; 201 and the id),
 *       {@code GET}/{@code DELETE .../download-session/{session}}, {@code POST ...?action=keep-alive},
 *       {@code GET .../download-session/{session}/file}, {@code POST .../file?action=prepare}
 *       ({@code {file_name, endpoint_type}}) and {@code POST .../file?action=get} ({@code {file_name}}).</li>
 * </ul>
 */
final class ContentLibraryRoutes {

    private static final int MAX_BODY = 1 << 20;
    private static final String ID = "([^/]+)";

    private final ContentLibraries content;

    ContentLibraryRoutes(ContentLibraries content) {
        this.content = requireNonNull(content, "content is null");
    }

    void register(VcenterApi.Registrar routes) {
        routes.route("GET", "/vcenter/datastore", "/vcenter/datastore", (c, m) -> new Answer(200,
                content.datastores(c.queryParameters().get("names"))));
        routes.route("POST", "/content/local-library", "/content/local-library", (c, m) -> new Answer(201,
                TextNode.valueOf(content.createLocalLibrary(body(c), clientToken(c)))));
        routes.route("GET", "/content/local-library/" + ID, "/content/local-library/{library}", (c, m) -> new Answer(200,
                content.library(id(m))));
        routes.route("DELETE", "/content/local-library/" + ID, "/content/local-library/{library}", (c, m) -> {
            content.deleteLocalLibrary(id(m));
            return new Answer(204, null);
        });
        routes.route("GET", "/content/library", "/content/library", (c, m) -> new Answer(200, content.libraryIds()));
        routes.route("POST", "/content/library", "/content/library?action=find", (c, m) -> {
            action(c, "find");
            return new Answer(200, content.findLibraries(body(c)));
        });
        routes.route("GET", "/content/library/" + ID, "/content/library/{library}", (c, m) -> new Answer(200, content.library(id(m))));

        routes.route("POST", "/vcenter/ovf/library-item", "/vcenter/ovf/library-item", (c, m) -> new Answer(201,
                content.capture(body(c), clientToken(c))));

        routes.route("GET", "/content/library/item", "/content/library/item", (c, m) -> {
            String library = c.queryParameter("library_id");
            if (library == null) {
                throw VcenterException.invalidArgument("vapi.bindings.typeconverter.missing.field",
                        "Missing query parameter 'library_id'.", "library_id");
            }
            return new Answer(200, content.itemIds(library));
        });
        routes.route("POST", "/content/library/item", "/content/library/item?action=find", (c, m) -> {
            action(c, "find");
            return new Answer(200, content.findItems(body(c)));
        });
        routes.route("GET", "/content/library/item/" + ID, "/content/library/item/{item}", (c, m) -> new Answer(200,
                content.item(id(m))));
        routes.route("DELETE", "/content/library/item/" + ID, "/content/library/item/{item}", (c, m) -> {
            content.deleteItem(id(m));
            return new Answer(204, null);
        });
        routes.route("GET", "/content/library/item/" + ID + "/file", "/content/library/item/{item}/file", (c, m) -> new Answer(200,
                content.itemFiles(id(m))));

        routes.route("POST", "/content/library/item/download-session", "/content/library/item/download-session", (c, m) ->
                new Answer(201, TextNode.valueOf(content.createDownloadSession(body(c), clientToken(c)))));
        routes.route("GET", "/content/library/item/download-session/" + ID, "/content/library/item/download-session/{session}",
                (c, m) -> new Answer(200, content.downloadSession(id(m))));
        routes.route("DELETE", "/content/library/item/download-session/" + ID, "/content/library/item/download-session/{session}",
                (c, m) -> {
                    content.deleteDownloadSession(id(m));
                    return new Answer(204, null);
                });
        routes.route("POST", "/content/library/item/download-session/" + ID,
                "/content/library/item/download-session/{session}?action=keep-alive", (c, m) -> {
                    action(c, "keep-alive");
                    content.keepAlive(id(m));
                    return new Answer(204, null);
                });
        routes.route("GET", "/content/library/item/download-session/" + ID + "/file",
                "/content/library/item/download-session/{session}/file", (c, m) -> new Answer(200, content.sessionFiles(id(m))));
        routes.route("POST", "/content/library/item/download-session/" + ID + "/file",
                "/content/library/item/download-session/{session}/file?action=prepare|get", (c, m) -> {
                    String action = c.queryParameter("action");
                    if ("prepare".equals(action)) {
                        return new Answer(200, content.prepare(id(m), body(c)));
                    }
                    action(c, "get");
                    return new Answer(200, content.sessionFile(id(m), body(c)));
                });
    }

    private static String id(java.util.regex.Matcher m) {
        return HttpCall.decode(m.group(1));
    }

    private static void action(HttpCall call, String expected) {
        String action = call.queryParameter("action");
        if (!expected.equals(action)) {
            throw VcenterException.invalidArgument("vapi.bindings.typeconverter.enum.invalid.value",
                    "Unknown action '" + action + "' (this path takes action=" + expected + ").", String.valueOf(action));
        }
    }

    /** vCenter takes the retry token in a {@code Client-Token} header (and older operations as {@code client_token}). */
    private static Optional<String> clientToken(HttpCall call) {
        return Optional.ofNullable(call.header("Client-Token")).or(() -> Optional.ofNullable(call.header("client_token")))
                .or(() -> Optional.ofNullable(call.queryParameter("client_token"))).filter(token -> !token.isBlank());
    }

    private static JsonNode body(HttpCall call) {
        try {
            String text = call.bodyText(MAX_BODY);
            JsonNode node = text.isBlank() ? Json.object() : Json.parse(text);
            if (!node.isObject()) {
                throw VcenterException.invalidArgument("vapi.bindings.typeconverter.invalid.structure",
                        "The request body must be a JSON object.", "body");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw VcenterException.invalidArgument("vapi.bindings.typeconverter.json.invalid",
                    "The request body is not JSON: " + e.getOriginalMessage(), "body");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
