package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every Linode resource type names the token scopes it needs; the token's list keeps one scope per area, the widest. */
class LinodePermissionsTest {

    @Test
    void everyResourceTypeOfTheSessionNamesItsScopes() {
        try (Sandbox sandbox = LinodeSandbox.start()) {
            LinodeSession session = new LinodeSession(LinodeSandbox.client(sandbox), reference -> {
                throw new FerryException("no secrets");
            }, LinodeSandbox.TIMING);
            List<String> silent = new ArrayList<>();
            for (ResourceType type : session.resourceTypes()) {
                if (new LinodeProvider().permissions(null, ResourceAddress.managed(type.name(), "x"), Attributes.empty()).isEmpty()) {
                    silent.add(type.name());
                }
            }
            assertThat(silent).as("resource types with no scopes").isEmpty();
            assertThat(sandbox.requests().all()).as("naming scopes calls nothing").isEmpty();
        }
    }

    @Test
    void readWriteCoversReadOnlyOfTheSameArea() {
        PermissionDocument document = LinodeScopes.document(List.of(
                Permission.of("linodes:read_only", "a look"),
                Permission.of("linodes:read_write", "a change"),
                Permission.of("events:read_only", "why a job failed")));

        assertThat(document.document().path("scopes").asText()).isEqualTo("events:read_only linodes:read_write");
        assertThat(document.explanations()).containsExactly("events:read_only: why a job failed", "linodes:read_write: a look; a change");
    }
}
