package dev.ferry.sandbox.testing;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.http.LinodeExchange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The validator itself: it must catch what does not conform, or the Linode tests prove nothing. */
class LinodeOpenApiValidatorTest {

    private static LinodeExchange exchange(String method, String path, String request, int status, String response) {
        Map<String, List<String>> json = Map.of("content-type", List.of("application/json"),
                "authorization", List.of("Bearer t"));
        return new LinodeExchange(method, path, null, request == null ? Map.of("authorization", List.of("Bearer t"))
                : json, request == null ? new byte[0] : request.getBytes(StandardCharsets.UTF_8), status,
                Map.of("content-type", List.of("application/json")), response.getBytes(StandardCharsets.UTF_8));
    }

    private static LinodeOpenApiValidator validator() {
        try (Sandbox sandbox = TestSandboxes.start(0.01)) {
            return LinodeOpenApiValidator.attachTo(sandbox);
        }
    }

    @Test
    void reportsAResponseThatBreaksTheDescription() {
        LinodeOpenApiValidator validator = validator();
        validator.accept(exchange("GET", "/v4/images/private/1", null, 200,
                "{\"id\": \"private/1\", \"label\": \"x\", \"status\": \"uploading\"}"));
        assertThat(validator.violations()).singleElement().asString().contains("status").contains("uploading");
        assertThatThrownBy(validator::assertNoViolations).hasMessageContaining("/v4/images/private/1");
        validator.assertNoViolations();
    }

    @Test
    void reportsAnInvalidRequestThatWasAcceptedButNotOneThatWasRefused() {
        LinodeOpenApiValidator validator = validator();
        String badFirewall = "{\"label\": \"x\", \"rules\": {\"inbound_policy\": \"DROP\", \"outbound_policy\": \"ACCEPT\"}}";
        validator.accept(exchange("POST", "/v4/networking/firewalls", badFirewall, 400,
                "{\"errors\": [{\"field\": \"label\", \"reason\": \"too short\"}]}"));
        assertThat(validator.violations()).isEmpty();
        validator.accept(exchange("POST", "/v4/networking/firewalls", badFirewall, 200,
                "{\"id\": 1, \"label\": \"x\", \"status\": \"enabled\", \"tags\": []}"));
        assertThat(validator.violations()).anyMatch(v -> v.contains("label"));
        assertThat(validator.validatedCount()).isEqualTo(2);
    }

    @Test
    void acceptsTheRealApisTimeStampsAndImageIdsInPaths() {
        LinodeOpenApiValidator validator = validator();
        validator.accept(exchange("GET", "/v4/images/private/7", null, 200, """
                {"id": "private/7", "label": "disk", "created": "2025-01-01T00:00:00",
                 "updated": "2025-01-01T00:00:00", "status": "available", "size": 10, "tags": []}"""));
        validator.assertNoViolations();
        validator.accept(exchange("GET", "/v4/images/private/7", null, 200, """
                {"id": "private/7", "label": "disk", "created": "yesterday", "status": "available"}"""));
        assertThat(validator.violations()).singleElement().asString().contains("created");
    }
}
