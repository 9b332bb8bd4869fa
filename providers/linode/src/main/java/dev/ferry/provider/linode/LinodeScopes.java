package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OAuth scopes of a Linode API token ({@code linodes:read_write}, {@code events:read_only}: an area and its access,
 * as the API's OpenAPI description names them per endpoint), and the list a token needs for what ferry calls. The
 * catalogue ferry reads at plan time ({@code /linode/types}, {@code /regions}) needs no scope.
 */
final class LinodeScopes {

    static final String READ_ONLY = "read_only";
    static final String READ_WRITE = "read_write";

    private LinodeScopes() {
    }

    static Permission readWrite(String area, String purpose) {
        return Permission.of(area + ":" + READ_WRITE, purpose);
    }

    static Permission readOnly(String area, String purpose) {
        return Permission.of(area + ":" + READ_ONLY, purpose);
    }

    /** The polling of a Linode's events: what a boot or a disk job did, when it fails. */
    static Permission events(String address) {
        return readOnly("events", address + " reads the Linode's events to say why a job failed");
    }

    /** One scope per area, read_write where anything needs to write there; what each is for. */
    static PermissionDocument document(List<Permission> permissions) {
        Map<String, String> access = new TreeMap<>();
        Map<String, Set<String>> purposes = new TreeMap<>();
        for (Permission permission : permissions) {
            String[] parts = permission.action().split(":", 2);
            access.merge(parts[0], parts[1], (a, b) -> a.equals(READ_WRITE) || b.equals(READ_WRITE) ? READ_WRITE : READ_ONLY);
            purposes.computeIfAbsent(parts[0], area -> new LinkedHashSet<>()).add(permission.purpose());
        }
        List<String> scopes = new ArrayList<>();
        List<String> explanations = new ArrayList<>();
        access.forEach((area, level) -> {
            scopes.add(area + ":" + level);
            explanations.add(area + ":" + level + ": " + String.join("; ", purposes.get(area)));
        });
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.put("scopes", String.join(" ", scopes));
        return new PermissionDocument(LinodeProvider.NAME, "Linode API token scopes", document,
                "Create a personal access token with these scopes only (Cloud Manager: API Tokens; linode-cli profile"
                        + " token-create --scopes '" + String.join(" ", scopes) + "').", explanations);
    }
}
