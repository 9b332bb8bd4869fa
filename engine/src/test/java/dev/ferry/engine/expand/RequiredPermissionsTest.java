package dev.ferry.engine.expand;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.state.RemoteStateLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Permissions are gathered per provider from each declaration, with the arguments the file gives: literals, and
 * references to an output its resource takes as an argument of the same name (the bucket's name), followed through
 * references; other references are unknown. A provider that needs nothing has no document.
 */
class RequiredPermissionsTest {

    private static final SourceLocation HERE = SourceLocation.startOf("migration.yaml");
    private static final ResourceAddress BUCKET = ResourceAddress.managed("cloud_bucket", "staging");
    private static final ResourceAddress OBJECT = ResourceAddress.managed("cloud_object", "web-01");
    private static final ResourceAddress IMAGE = ResourceAddress.managed("cloud_image", "web-01");

    /** A provider owning the cloud_ types; it asks for a permission per known argument, and records what it saw. */
    static class Cloud implements Provider {
        final Map<ResourceAddress, Attributes> seen = new LinkedHashMap<>();
        final List<RemoteStateLocation> states = new ArrayList<>();

        @Override
        public String name() {
            return "cloud";
        }

        @Override
        public List<SourceKind> sources() {
            return List.of();
        }

        @Override
        public List<TargetKind> targets() {
            return List.of();
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            throw new AssertionError("permissions connect to nothing");
        }

        @Override
        public List<Permission> permissions(MigrationFile file, ResourceAddress address, Attributes arguments) {
            if (!address.type().startsWith("cloud_")) {
                return List.of();
            }
            seen.put(address, arguments);
            return List.of(Permission.of("cloud:Touch", List.of(arguments.optionalText("bucket").orElse("*")), address + " touches"));
        }

        @Override
        public List<Permission> statePermissions(RemoteStateLocation location) {
            states.add(location);
            return List.of(Permission.of("cloud:KeepState", List.of(location.uri()), "the state"));
        }

        @Override
        public Optional<PermissionDocument> permissionDocument(List<Permission> permissions) {
            return Optional.of(new PermissionDocument(name(), "Cloud policy", JsonNodeFactory.instance.objectNode()
                    .put("count", permissions.size()), "use it", permissions.stream().map(p -> p.action() + ": " + p.purpose()).toList()));
        }
    }

    /** A provider that owns no type of the file. */
    static final class Idle extends Cloud {
        @Override
        public String name() {
            return "idle";
        }

        @Override
        public List<Permission> permissions(MigrationFile file, ResourceAddress address, Attributes arguments) {
            return List.of();
        }

        @Override
        public List<Permission> statePermissions(RemoteStateLocation location) {
            return List.of();
        }
    }

    private static Configuration configuration() {
        Map<ResourceAddress, ResourceDeclaration> declarations = new LinkedHashMap<>();
        declarations.put(BUCKET, ResourceDeclaration.builder(BUCKET, HERE).argument("bucket", "ferry-staging").build());
        declarations.put(OBJECT, ResourceDeclaration.builder(OBJECT, HERE)
                .reference("bucket", BUCKET, "bucket")
                .reference("source", BUCKET, "arn")
                .build());
        declarations.put(IMAGE, ResourceDeclaration.builder(IMAGE, HERE)
                .reference("bucket", OBJECT, "bucket")
                .reference("key", OBJECT, "key")
                .argument("name", Expression.literal("web-01"))
                .build());
        return new Configuration(declarations, Map.of());
    }

    @Test
    void argumentsAreKnownAsFarAsTheFileTellsThem() {
        Cloud cloud = new Cloud();

        List<PermissionDocument> documents = RequiredPermissions.of(null, configuration(), Optional.empty(), List.of(cloud));

        assertThat(cloud.seen.get(OBJECT).optionalText("bucket")).as("the bucket's own argument").contains("ferry-staging");
        assertThat(cloud.seen.get(OBJECT).isUnknown("source")).as("an output the bucket does not take as an argument").isTrue();
        assertThat(cloud.seen.get(IMAGE).optionalText("bucket")).as("followed through the object to the bucket").contains("ferry-staging");
        assertThat(cloud.seen.get(IMAGE).isUnknown("key")).isTrue();
        assertThat(cloud.seen.get(IMAGE).optionalText("name")).contains("web-01");
        assertThat(documents).singleElement().satisfies(document -> {
            assertThat(document.provider()).isEqualTo("cloud");
            assertThat(document.document().path("count").asInt()).isEqualTo(3);
            assertThat(document.explanations()).contains("cloud:Touch: cloud_image.web-01 touches");
        });
    }

    @Test
    void theRemoteStateIsAskedOfEveryProviderAndOneThatNeedsNothingHasNoDocument() {
        Cloud cloud = new Cloud();
        RemoteStateLocation state = RemoteStateLocation.parse("s3://team/state.json");

        List<PermissionDocument> documents = RequiredPermissions.of(null, configuration(), Optional.of(state), List.of(new Idle(), cloud));

        assertThat(cloud.states).containsExactly(state);
        assertThat(documents).extracting(PermissionDocument::provider).containsExactly("cloud");
        assertThat(documents.get(0).explanations()).contains("cloud:KeepState: the state");
        assertThat(RequiredPermissions.of(null, new Configuration(Map.of(), Map.of()), Optional.empty(), List.of(cloud))).isEmpty();
    }

    @Test
    void aReferenceCycleEndsUnknown() {
        ResourceAddress a = ResourceAddress.managed("cloud_a", "x");
        ResourceAddress b = ResourceAddress.managed("cloud_b", "x");
        Map<ResourceAddress, ResourceDeclaration> declarations = Map.of(
                a, ResourceDeclaration.builder(a, HERE).reference("bucket", b, "bucket").build(),
                b, ResourceDeclaration.builder(b, HERE).reference("bucket", a, "bucket").build());
        Cloud cloud = new Cloud();

        RequiredPermissions.of(null, new Configuration(declarations, Map.of()), Optional.empty(), List.of(cloud));

        assertThat(cloud.seen.get(a).isUnknown("bucket")).isTrue();
        assertThat(Set.copyOf(cloud.seen.keySet())).containsExactlyInAnyOrder(a, b);
    }
}
