package dev.ferry.sandbox.linode;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.testing.LinodeOpenApiValidator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LinodeSmokeTest {
    @Test
    void smoke() {
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.builder().timeScale(0.01).build())) {
            LinodeOpenApiValidator validator = LinodeOpenApiValidator.attachTo(sandbox);
            LinodeTestClient client = new LinodeTestClient(sandbox);
            System.out.println(client.get("/linode/types").status());
            System.out.println(client.get("/regions").status());
            var up = client.post("/images/upload", Map.of("label", "img1", "region", "us-lax", "tags", List.of("migrated")));
            System.out.println(up.body());
            System.out.println(client.get("/images?page_size=25").body());
            var fw = client.post("/networking/firewalls", Map.of("label", "fw-web", "rules", Map.of("inbound_policy", "DROP", "outbound_policy", "ACCEPT",
                    "inbound", List.of(Map.of("action", "ACCEPT", "protocol", "TCP", "ports", "22, 80-81", "addresses", Map.of("ipv4", List.of("0.0.0.0/0")))))));
            System.out.println(fw.body());
            var l = client.post("/linode/instances", Map.of("type", "g6-standard-2", "region", "us-lax", "label", "web-01", "image", "linode/debian12", "root_pass", "Sandbox-Pass-2025!", "firewall_id", fw.body().get("id").asLong()));
            System.out.println(l.body());
            System.out.println(client.get("/networking/firewalls/" + fw.body().get("id").asLong() + "/devices").body());
            System.out.println(client.get("/account/events").body());
            System.out.println(client.get("/linode/instances/999").body());
            System.out.println(validator.violations().size() + " violations of " + validator.validatedCount());
            validator.violations().forEach(System.out::println);
        }
    }
}
