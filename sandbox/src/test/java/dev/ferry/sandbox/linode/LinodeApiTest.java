package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.testing.LinodeOpenApiValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Linode API v4 as the provider uses it; every exchange is checked against the OpenAPI description. */
class LinodeApiTest {

    private static final Sandbox sandbox = TestSandboxes.start(0.01);
    private static final LinodeTestClient linode = new LinodeTestClient(sandbox);

    @RegisterExtension
    static final LinodeOpenApiValidator openApi = LinodeOpenApiValidator.attachTo(sandbox);

    private static final String PASSWORD = "Sandbox-Pass-2025!";

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static Map<String, Object> linodeBody(String label, Object... extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "g6-standard-2");
        body.put("region", "us-lax");
        body.put("label", label);
        body.put("image", "linode/debian12");
        body.put("root_pass", PASSWORD);
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return body;
    }

    private static Map<String, Object> rule(String protocol, String ports, String... ipv4) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("action", "ACCEPT");
        rule.put("protocol", protocol);
        if (ports != null) {
            rule.put("ports", ports);
        }
        rule.put("addresses", Map.of("ipv4", List.of(ipv4)));
        return rule;
    }

    private static Map<String, Object> rules(List<Map<String, Object>> inbound) {
        return Map.of("inbound_policy", "DROP", "outbound_policy", "ACCEPT", "inbound", inbound,
                "outbound", List.of());
    }

    @Test
    void listsTodaysPlansWithTheirSizesAndPrices() {
        LinodeTestClient.Reply all = linode.get("/linode/types");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body().get("results").asInt()).isEqualTo(all.body().get("data").size()).isGreaterThan(20);
        assertThat(all.body().get("pages").asInt()).isEqualTo(1);
        JsonNode standard2 = find(all.body().get("data"), "id", "g6-standard-2");
        assertThat(standard2.get("vcpus").asInt()).isEqualTo(2);
        assertThat(standard2.get("memory").asInt()).isEqualTo(4096);
        assertThat(standard2.get("disk").asInt()).isEqualTo(81920);
        assertThat(standard2.get("class").asText()).isEqualTo("standard");
        assertThat(standard2.at("/price/monthly").asDouble()).isEqualTo(24.0);
        assertThat(standard2.at("/price/hourly").asDouble()).isEqualTo(0.036);
        assertThat(all.body().get("data")).extracting(n -> n.get("class").asText())
                .contains("nanode", "standard", "dedicated", "highmem");
        assertThat(linode.get("/linode/types/g6-nanode-1").body().get("label").asText()).isEqualTo("Nanode 1GB");
        assertThat(linode.get("/linode/types/g9-imaginary").status()).isEqualTo(404);
    }

    @Test
    void listsTheBlockStoragePricePerGbWithTheRegionsThatChargeMore() {
        LinodeTestClient.Reply types = linode.get("/volumes/types");
        assertThat(types.status()).isEqualTo(200);
        JsonNode volume = find(types.body().get("data"), "id", "volume");
        assertThat(volume.at("/price/monthly").asDouble()).isEqualTo(0.1);
        assertThat(volume.at("/price/hourly").asDouble()).isEqualTo(0.00015);
        assertThat(find(volume.get("region_prices"), "id", "br-gru").get("monthly").asDouble()).isEqualTo(0.12);
    }

    @Test
    void paginatesInPagesOfTwentyFiveToFiveHundred() {
        for (int i = 0; i < 27; i++) {
            assertThat(linode.post("/networking/firewalls", Map.of("label", String.format("page-fw-%02d", i),
                    "rules", rules(List.of()))).status()).isEqualTo(200);
        }
        Map<String, String> only = Map.of("X-Filter", "{\"label\": {\"+contains\": \"page-fw\"}}");
        LinodeTestClient.Reply first = linode.get("/networking/firewalls?page_size=25", only);
        assertThat(first.body().get("results").asInt()).isEqualTo(27);
        assertThat(first.body().get("pages").asInt()).isEqualTo(2);
        assertThat(first.body().get("page").asInt()).isEqualTo(1);
        assertThat(first.body().get("data").size()).isEqualTo(25);
        LinodeTestClient.Reply second = linode.get("/networking/firewalls?page=2&page_size=25", only);
        assertThat(second.body().get("data").size()).isEqualTo(2);
        assertThat(linode.get("/networking/firewalls?page=3&page_size=25", only).body().get("data").size()).isZero();
        assertThat(linode.get("/networking/firewalls?page_size=500", only).body().get("data").size()).isEqualTo(27);

        LinodeTestClient.Reply tooSmall = linode.get("/networking/firewalls?page_size=24");
        assertThat(tooSmall.status()).isEqualTo(400);
        assertThat(tooSmall.firstField()).isEqualTo("page_size");
        assertThat(linode.get("/networking/firewalls?page_size=501").firstField()).isEqualTo("page_size");
        assertThat(linode.get("/networking/firewalls?page=0").firstField()).isEqualTo("page");
    }

    @Test
    void listsRegionsAndFiltersThem() {
        LinodeTestClient.Reply regions = linode.get("/regions");
        assertThat(regions.body().get("data")).extracting(n -> n.get("id").asText()).contains("us-lax", "us-east",
                "eu-central");
        LinodeTestClient.Reply german = linode.get("/regions", Map.of("X-Filter", "{\"country\": \"de\"}"));
        assertThat(german.body().get("data")).extracting(n -> n.get("id").asText()).containsExactly("eu-central");
    }

    @Test
    void createsALinodeThatProvisionsThenRunsAndCanBeRenamedAndDeleted() {
        LinodeTestClient.Reply created = linode.post("/linode/instances", linodeBody("migrated-from-aws-ec2",
                "tags", List.of("migrated"), "authorized_keys",
                List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGPkl4gA2I2IYs8Ttm2mRyMGCZVYDqwYTVeSBfVvr/Cf ops@example.com")));
        assertThat(created.status()).isEqualTo(200);
        long id = created.body().get("id").asLong();
        assertThat(created.body().get("status").asText()).isEqualTo("provisioning");
        assertThat(created.body().get("ipv4").get(0).asText()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(created.body().get("specs").get("memory").asInt()).isEqualTo(4096);
        TestSandboxes.waitUntil("running", Duration.ofSeconds(10), () ->
                linode.get("/linode/instances/" + id).body().get("status").asText().equals("running"));

        LinodeTestClient.Reply renamed = linode.put("/linode/instances/" + id, Map.of("label", "web-01-linode",
                "tags", List.of("migrated", "web")));
        assertThat(renamed.body().get("label").asText()).isEqualTo("web-01-linode");
        assertThat(renamed.body().get("tags")).extracting(JsonNode::asText).containsExactly("migrated", "web");

        LinodeTestClient.Reply events = linode.get("/account/events", Map.of("X-Filter",
                "{\"entity.id\": " + id + ", \"entity.type\": \"linode\"}"));
        assertThat(events.body().get("data")).extracting(n -> n.get("action").asText() + ":" + n.get("status")
                .asText()).contains("linode_create:finished", "linode_boot:finished");

        assertThat(linode.delete("/linode/instances/" + id).status()).isEqualTo(200);
        assertThat(linode.get("/linode/instances/" + id).status()).isEqualTo(404);
    }

    @Test
    void aLinodeCreatedUnbootedEndsOffline() {
        LinodeTestClient.Reply created = linode.post("/linode/instances", linodeBody("stays-off", "booted", false));
        long id = created.body().get("id").asLong();
        TestSandboxes.waitUntil("offline", Duration.ofSeconds(10), () ->
                linode.get("/linode/instances/" + id).body().get("status").asText().equals("offline"));
    }

    @Test
    void refusesLinodesWithBadLabelsPasswordsKeysPlansAndRegions() {
        assertField(linode.post("/linode/instances", linodeBody("ab")), "label");
        assertField(linode.post("/linode/instances", linodeBody("9-starts-with-digit")), "label");
        assertField(linode.post("/linode/instances", linodeBody("double--dash")), "label");
        assertField(linode.post("/linode/instances", linodeBody("weak", "root_pass", "password1")), "root_pass");
        assertField(linode.post("/linode/instances", linodeBody("short", "root_pass", "Ab1!")), "root_pass");
        Map<String, Object> noPassword = linodeBody("no-password");
        noPassword.remove("root_pass");
        assertField(linode.post("/linode/instances", noPassword), "root_pass");
        assertField(linode.post("/linode/instances", linodeBody("bad-key", "authorized_keys",
                List.of("not a key"))), "authorized_keys");
        assertField(linode.post("/linode/instances", linodeBody("wrong-type", "authorized_keys",
                List.of("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGPkl4gA2I2IYs8Ttm2mRyMGCZVYDqwYTVeSBfVvr/Cf ops@example.com"))),
                "authorized_keys");
        assertField(linode.post("/linode/instances", linodeBody("bad-plan", "type", "g6-standard-99")), "type");
        assertField(linode.post("/linode/instances", linodeBody("bad-region", "region", "mars-1")), "region");
        assertField(linode.post("/linode/instances", linodeBody("bad-tag", "tags", List.of("x"))), "tags");
        assertField(linode.post("/linode/instances", linodeBody("no-image", "image", "private/1")), "image");
        assertField(linode.post("/linode/instances", linodeBody("no-firewall", "firewall_id", 1)), "firewall_id");

        assertThat(linode.post("/linode/instances", linodeBody("unique-label")).status()).isEqualTo(200);
        assertField(linode.post("/linode/instances", linodeBody("unique-label")), "label");
        assertThat(sandbox.world().linode().instances()).filteredOn(l -> l.label().equals("unique-label")).hasSize(1);
    }

    @Test
    void refusesAnImageThatIsNotAvailableYet() {
        LinodeTestClient.Reply upload = linode.post("/images/upload", Map.of("label", "not-yet", "region", "us-lax"));
        String image = upload.body().at("/image/id").asText();
        LinodeTestClient.Reply created = linode.post("/linode/instances", linodeBody("too-early", "image", image));
        assertField(created, "image");
        assertThat(created.firstReason()).contains("pending_upload");
    }

    private static void assertField(LinodeTestClient.Reply reply, String field) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertThat(reply.firstField()).as(reply.body().toString()).isEqualTo(field);
        assertThat(reply.firstReason()).isNotBlank();
    }

    @Test
    void managesAFirewallItsRulesAndItsDevices() {
        LinodeTestClient.Reply created = linode.post("/networking/firewalls", Map.of("label", "web-01-sg",
                "tags", List.of("migrated"), "rules", rules(List.of(rule("TCP", "22", "203.0.113.0/24"),
                        rule("TCP", "80, 443", "0.0.0.0/0"), rule("ICMP", null, "0.0.0.0/0")))));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        long id = created.body().get("id").asLong();
        assertThat(created.body().get("status").asText()).isEqualTo("enabled");
        assertThat(created.body().at("/rules/inbound")).hasSize(3);
        assertThat(created.body().at("/rules/version").asInt()).isEqualTo(1);

        LinodeTestClient.Reply replaced = linode.put("/networking/firewalls/" + id + "/rules", rules(List.of(
                rule("TCP", "22-24, 8080", "203.0.113.0/24"))));
        assertThat(replaced.body().get("version").asInt()).isEqualTo(2);
        assertThat(replaced.body().get("fingerprint").asText()).isNotEqualTo(created.body().at("/rules/fingerprint")
                .asText());
        assertThat(linode.get("/networking/firewalls/" + id + "/rules").body().get("inbound")).hasSize(1);

        long first = linode.post("/linode/instances", linodeBody("fw-member-1", "firewall_id", id)).body()
                .get("id").asLong();
        long second = linode.post("/linode/instances", linodeBody("fw-member-2")).body().get("id").asLong();
        LinodeTestClient.Reply device = linode.post("/networking/firewalls/" + id + "/devices",
                Map.of("id", second, "type", "linode"));
        assertThat(device.status()).isEqualTo(200);
        assertThat(device.body().at("/entity/id").asLong()).isEqualTo(second);
        LinodeTestClient.Reply devices = linode.get("/networking/firewalls/" + id + "/devices");
        assertThat(devices.body().get("data")).extracting(n -> n.at("/entity/id").asLong())
                .containsExactlyInAnyOrder(first, second);
        assertThat(linode.get("/linode/instances/" + first + "/firewalls").body().get("data"))
                .extracting(n -> n.get("id").asLong()).containsExactly(id);

        long other = linode.post("/networking/firewalls", Map.of("label", "other-fw", "rules",
                rules(List.of()))).body().get("id").asLong();
        assertField(linode.post("/networking/firewalls/" + other + "/devices", Map.of("id", first, "type", "linode")),
                "id");

        long deviceId = device.body().get("id").asLong();
        assertThat(linode.get("/networking/firewalls/" + id + "/devices/" + deviceId).status()).isEqualTo(200);
        assertThat(linode.delete("/networking/firewalls/" + id + "/devices/" + deviceId).status()).isEqualTo(200);
        assertThat(linode.get("/networking/firewalls/" + id + "/devices").body().get("results").asInt()).isEqualTo(1);

        LinodeTestClient.Reply disabled = linode.put("/networking/firewalls/" + id, Map.of("status", "disabled",
                "label", "web-01-sg-off"));
        assertThat(disabled.body().get("status").asText()).isEqualTo("disabled");
        assertThat(linode.delete("/networking/firewalls/" + id).status()).isEqualTo(200);
        assertThat(linode.get("/networking/firewalls/" + id).status()).isEqualTo(404);
    }

    @Test
    void enforcesTheFirewallLimitsOfTheDescription() {
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            tooMany.add(rule("TCP", String.valueOf(1000 + i), "192.0.2.0/24"));
        }
        assertField(linode.post("/networking/firewalls", Map.of("label", "too-many", "rules", rules(tooMany))),
                "rules");
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            addresses.add("10.0." + (i / 250) + "." + (i % 250) + "/32");
        }
        assertThat(linode.post("/networking/firewalls", Map.of("label", "many-addresses", "rules",
                rules(List.of(rule("TCP", "22", addresses.toArray(String[]::new)))))).firstField())
                .isEqualTo("rules.inbound[0].addresses");
        assertThat(linode.post("/networking/firewalls", Map.of("label", "many-ports", "rules",
                rules(List.of(rule("TCP", "1-2, 3-4, 5-6, 7-8, 9-10, 11-12, 13-14, 15-16", "0.0.0.0/0")))))
                .firstField()).isEqualTo("rules.inbound[0].ports");
        assertThat(linode.post("/networking/firewalls", Map.of("label", "fifteen-ports", "rules",
                rules(List.of(rule("TCP", "1-2, 3-4, 5-6, 7-8, 9-10, 11-12, 13-14, 15", "0.0.0.0/0")))))
                .status()).isEqualTo(200);
        assertThat(linode.post("/networking/firewalls", Map.of("label", "icmp-ports", "rules",
                rules(List.of(rule("ICMP", "8", "0.0.0.0/0"))))).firstField()).isEqualTo("rules.inbound[0].ports");
        assertThat(linode.post("/networking/firewalls", Map.of("label", "bad-ports", "rules",
                rules(List.of(rule("TCP", "80-22", "0.0.0.0/0"))))).firstField()).isEqualTo("rules.inbound[0].ports");
        assertThat(linode.post("/networking/firewalls", Map.of("label", "bad-cidr", "rules",
                rules(List.of(rule("TCP", "22", "300.0.0.0/8"))))).firstField())
                .isEqualTo("rules.inbound[0].addresses.ipv4");
        assertField(linode.post("/networking/firewalls", Map.of("label", "this-label-is-far-too-long-for-a-fw",
                "rules", rules(List.of()))), "label");
        assertThat(linode.post("/networking/firewalls", Map.of("label", "unique-fw", "rules", rules(List.of())))
                .status()).isEqualTo(200);
        assertField(linode.post("/networking/firewalls", Map.of("label", "unique-fw", "rules", rules(List.of()))),
                "label");
    }

    @Test
    void filtersListsWithXFilter() {
        linode.post("/linode/instances", linodeBody("filter-web-1", "tags", List.of("fleet", "web")));
        linode.post("/linode/instances", linodeBody("filter-web-2", "tags", List.of("fleet", "web"),
                "region", "us-east"));
        linode.post("/linode/instances", linodeBody("filter-db-1", "tags", List.of("fleet", "database")));

        assertThat(labels(filter("{\"label\": \"filter-web-1\"}"))).containsExactly("filter-web-1");
        assertThat(labels(filter("{\"tags\": \"database\"}"))).containsExactly("filter-db-1");
        assertThat(labels(filter("{\"+and\": [{\"tags\": \"web\"}, {\"region\": \"us-east\"}]}")))
                .containsExactly("filter-web-2");
        assertThat(labels(filter("{\"+or\": [{\"label\": \"filter-web-1\"}, {\"label\": \"filter-db-1\"}]}")))
                .containsExactlyInAnyOrder("filter-web-1", "filter-db-1");
        assertThat(labels(filter("{\"label\": {\"+contains\": \"filter-web\"}}")))
                .containsExactlyInAnyOrder("filter-web-1", "filter-web-2");
        assertThat(labels(filter("{\"tags\": \"fleet\", \"+order_by\": \"label\", \"+order\": \"desc\"}")))
                .containsExactly("filter-web-2", "filter-web-1", "filter-db-1");

        LinodeTestClient.Reply notFilterable = linode.get("/linode/instances", Map.of("X-Filter",
                "{\"ipv4\": \"1.2.3.4\"}"));
        assertThat(notFilterable.status()).isEqualTo(400);
        assertThat(notFilterable.firstReason()).contains("ipv4");
        assertThat(linode.get("/linode/instances", Map.of("X-Filter", "{not json")).status()).isEqualTo(400);
    }

    private static LinodeTestClient.Reply filter(String filter) {
        LinodeTestClient.Reply reply = linode.get("/linode/instances?page_size=100", Map.of("X-Filter", filter));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply;
    }

    private static List<String> labels(LinodeTestClient.Reply reply) {
        List<String> labels = new ArrayList<>();
        reply.body().get("data").forEach(n -> labels.add(n.get("label").asText()));
        return labels;
    }

    @Test
    void managesUploadedImagesByIdAndListsThemWithThePublicOnes() {
        LinodeTestClient.Reply upload = linode.post("/images/upload", Map.of("label", "web-01-disk",
                "region", "us-lax", "tags", List.of("migrated")));
        String id = upload.body().at("/image/id").asText();
        assertThat(id).startsWith("private/");
        assertThat(upload.body().at("/image/status").asText()).isEqualTo("pending_upload");
        assertThat(linode.get("/images/" + id).body().get("label").asText()).isEqualTo("web-01-disk");
        assertThat(linode.get("/images", Map.of("X-Filter", "{\"tags\": \"migrated\"}")).body().get("data"))
                .extracting(n -> n.get("id").asText()).contains(id);
        assertThat(linode.get("/images", Map.of("X-Filter", "{\"is_public\": true}")).body().get("data"))
                .extracting(n -> n.get("id").asText()).contains("linode/debian12").doesNotContain(id);
        LinodeTestClient.Reply renamed = linode.put("/images/" + id, Map.of("label", "web-01-disk-v2"));
        assertThat(renamed.body().get("label").asText()).isEqualTo("web-01-disk-v2");
        assertThat(linode.delete("/images/" + id).status()).isEqualTo(200);
        assertThat(linode.get("/images/" + id).status()).isEqualTo(404);
        assertField(linode.post("/images/upload", Map.of("label", "nowhere", "region", "mars-1")), "region");
        assertField(linode.post("/images/upload", Map.of("region", "us-lax")), "label");
    }

    @Test
    void requiresTheBearerTokenAndAnswersUnknownPathsWithNotFound() {
        LinodeTestClient.Reply anonymous = new LinodeTestClient(sandbox, null).get("/linode/instances");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.firstReason()).isEqualTo("Invalid Token");
        assertThat(new LinodeTestClient(sandbox, "wrong-token").get("/regions").status()).isEqualTo(401);
        assertThat(linode.get("/linode/instances/123").status()).isEqualTo(404);
        assertThat(linode.get("/nothing/here").firstReason()).isEqualTo("Not found");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (node.get(field).asText().equals(value)) {
                return node;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }
}
