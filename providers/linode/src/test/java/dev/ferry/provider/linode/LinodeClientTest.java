package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.engine.FerryVersion;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.http.LinodeExchange;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against the sandbox's Linode API, every exchange checked against the OpenAPI description. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinodeClientTest {

    private final Sandbox sandbox = LinodeSandbox.start();
    private final List<LinodeExchange> exchanges = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

    LinodeClientTest() {
        sandbox.onLinodeExchange(exchanges::add);
    }

    @AfterEach
    void clearFaults() {
        sandbox.faults().clear();
        exchanges.clear();
    }

    @AfterAll
    void stop() {
        sandbox.close();
    }

    private static ObjectNode firewallBody(String label, String tag) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("label", label);
        ObjectNode rules = body.putObject("rules");
        rules.put("inbound_policy", "DROP");
        rules.put("outbound_policy", "ACCEPT");
        rules.putArray("inbound");
        rules.putArray("outbound");
        body.putArray("tags").add(tag);
        return body;
    }

    @Test
    void listsEveryPageAndFiltersWithXFilter() {
        LinodeClient small = LinodeSandbox.client(sandbox, new RecordingSleeper(), 25);
        for (int i = 0; i < 27; i++) {
            small.post("/networking/firewalls", firewallBody("paging-" + i, i % 3 == 0 ? "third" : "other"), LinodeClient.Replay.ONCE);
        }
        exchanges.clear();

        List<JsonNode> all = small.list("/networking/firewalls", null);
        ObjectNode filter = JsonNodeFactory.instance.objectNode().put("tags", "third");
        List<JsonNode> thirds = small.list("/networking/firewalls", filter);

        assertThat(all).extracting(f -> f.path("label").asText()).contains("paging-0", "paging-26").hasSizeGreaterThanOrEqualTo(27);
        assertThat(thirds).hasSize(9).allSatisfy(f -> assertThat(f.path("tags").toString()).contains("third"));
        assertThat(exchanges.get(0).query()).isEqualTo("page=1&page_size=25");
        assertThat(exchanges.get(1).query()).isEqualTo("page=2&page_size=25");
        assertThat(exchanges.get(2).requestHeaders().get("x-filter")).containsExactly("{\"tags\":\"third\"}");
    }

    @Test
    void asksForFiveHundredItemsAPageAndNothingOfCatalogsThatTakeNoPaging() {
        LinodeClient client = LinodeSandbox.client(sandbox);

        client.list("/networking/firewalls", null);
        List<JsonNode> types = client.catalog("/linode/types");

        assertThat(types).extracting(t -> t.path("id").asText()).contains("g6-nanode-1", "g6-standard-2", "g6-dedicated-4");
        assertThat(exchanges).extracting(LinodeExchange::query).containsExactly("page=1&page_size=500", null);
    }

    @Test
    void sendsTheTokenAsBearerAndNamesFerryAndItsVersion() {
        LinodeSandbox.client(sandbox).get("/regions/us-lax");

        LinodeExchange exchange = exchanges.get(0);
        assertThat(exchange.requestHeaders().get("authorization")).containsExactly("Bearer " + sandbox.linodeToken());
        assertThat(exchange.requestHeaders().get("user-agent")).containsExactly("ferry/" + FerryVersion.get());
        assertThat(exchange.requestHeaders().get("accept")).containsExactly("application/json");
    }

    @Test
    void mapsTheApiErrorToItsFieldAndReason() {
        LinodeClient client = LinodeSandbox.client(sandbox);
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("region", "us-lax").put("type", "g6-nosuch-1");

        assertThatThrownBy(() -> client.post("/linode/instances", body, LinodeClient.Replay.ONCE))
                .isInstanceOfSatisfying(LinodeApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.call()).isEqualTo("POST /linode/instances");
                    assertThat(e.errors()).singleElement().satisfies(error -> {
                        assertThat(error.field()).contains("type");
                        assertThat(error.reason()).isEqualTo("A valid plan type by that ID was not found");
                    });
                    assertThat(e.concerns("type")).isTrue();
                    assertThat(e).hasMessage("Linode API POST /linode/instances answered 400: type: A valid plan type by that ID was not found");
                });
    }

    @Test
    void findIsEmptyAndDeleteIsFalseForWhatDoesNotExist() {
        LinodeClient client = LinodeSandbox.client(sandbox);

        assertThat(client.find("/linode/instances/999999")).isEmpty();
        assertThat(client.delete("/networking/firewalls/999999")).isFalse();
    }

    @Test
    void waitsAsLongAsRetryAfterSaysOnA429() {
        sandbox.faults().set("services=linode,actions=GET /linode/types,rate=1,statuses=429,retry-after=3s,count=1");
        RecordingSleeper sleeper = new RecordingSleeper();

        List<JsonNode> types = LinodeSandbox.client(sandbox, sleeper).catalog("/linode/types");

        assertThat(types).isNotEmpty();
        assertThat(sleeper.pauses()).containsExactly(Duration.ofSeconds(3));
        assertThat(exchanges).extracting(LinodeExchange::status).containsExactly(429, 200);
    }

    @Test
    void rateLimitingIsWaitedOutForAsLongAsItLastsWithoutUsingUpTheAttempts() {
        sandbox.faults().set("services=linode,actions=GET /linode/types,rate=1,statuses=429,count=9");
        RecordingSleeper sleeper = new RecordingSleeper();

        List<JsonNode> types = LinodeSandbox.client(sandbox, sleeper).catalog("/linode/types");

        assertThat(types).isNotEmpty();
        assertThat(exchanges).extracting(LinodeExchange::status).hasSize(10).endsWith(200);
        // without Retry-After: the backoff grows (jittered, capped), as after any failure
        assertThat(sleeper.pauses()).hasSize(9).allSatisfy(pause -> assertThat(pause).isBetween(Duration.ofMillis(250),
                RetryPolicy.DEFAULT.maxDelay()));
    }

    @Test
    void aCreatingPostIsSentAgainAfterA429BecauseNothingWasDone() {
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,rate=1,statuses=429,retry-after=1s,count=1");

        JsonNode firewall = LinodeSandbox.client(sandbox).post("/networking/firewalls", firewallBody("after-429", "t429"),
                LinodeClient.Replay.ONCE);

        assertThat(firewall.path("label").asText()).isEqualTo("after-429");
        assertThat(sandbox.requests().count("linode:POST /networking/firewalls")).isGreaterThanOrEqualTo(2);
        assertThat(sandbox.world().linode().firewalls()).filteredOn(f -> f.label().equals("after-429")).hasSize(1);
    }

    @Test
    void retriesServerErrorsOnIdempotentCalls() {
        sandbox.faults().set("services=linode,actions=GET /regions/{regionId},rate=1,statuses=503,500,count=2");
        RecordingSleeper sleeper = new RecordingSleeper();

        JsonNode region = LinodeSandbox.client(sandbox, sleeper).get("/regions/us-lax");

        assertThat(region.path("id").asText()).isEqualTo("us-lax");
        assertThat(sleeper.pauses()).hasSize(2);
        assertThat(exchanges).extracting(LinodeExchange::status).hasSize(3).endsWith(200);
    }

    @Test
    void aServerErrorOnACreatingPostIsNotRepeated() {
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,rate=1,statuses=500,count=1");
        long before = sandbox.requests().count("linode:POST /networking/firewalls");

        assertThatThrownBy(() -> LinodeSandbox.client(sandbox).post("/networking/firewalls", firewallBody("no-repeat", "t500"),
                LinodeClient.Replay.ONCE))
                .isInstanceOfSatisfying(LinodeApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.maybeCarriedOut()).as("the caller must look for what it may have made").isTrue();
                });
        assertSentOnce("linode:POST /networking/firewalls", before);
    }

    /** The request log is written as the exchange ends, a moment after the client has its answer. */
    private void assertSentOnce(String key, long before) {
        TestSandboxes.waitUntil(key + " logged", Duration.ofSeconds(5), () -> sandbox.requests().count(key) >= before + 1);
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(sandbox.requests().count(key)).as("requests sent").isEqualTo(before + 1);
    }

    @Test
    void aCutConnectionIsRetriedForAGet() {
        sandbox.faults().set("services=linode,actions=GET /regions/{regionId},cut=1,cut-direction=response,count=1");

        JsonNode region = LinodeSandbox.client(sandbox).get("/regions/fr-par");

        assertThat(region.path("label").asText()).isEqualTo("Paris, FR");
        assertThat(sandbox.requests().count("linode:GET /regions/{regionId}")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aPostWhoseAnswerWasCutMayHaveHappenedAndIsNotSentAgain() {
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,cut=1,cut-direction=response,count=1");
        long before = sandbox.requests().count("linode:POST /networking/firewalls");

        assertThatThrownBy(() -> LinodeSandbox.client(sandbox).post("/networking/firewalls", firewallBody("cut-answer", "tcut"),
                LinodeClient.Replay.ONCE))
                .isInstanceOfSatisfying(LinodeApiException.class, e -> {
                    assertThat(e.maybeCarriedOut()).isTrue();
                    assertThat(e.getMessage()).contains("POST /networking/firewalls got no answer").contains("may have been carried out");
                });
        assertSentOnce("linode:POST /networking/firewalls", before);
    }

    @Test
    void aRefusedTokenNamesWhereItCameFromButNeverShowsIt() {
        String wrong = "wrong-token-3f9a1c0d7e";
        LinodeClient client = new LinodeClient(sandbox.linodeApiUrl(), new ApiToken(wrong, "LINODE_TOKEN"),
                LinodeClient.newHttpClient(), RetryPolicy.DEFAULT, new RecordingSleeper(), 500, Duration.ofSeconds(10));

        assertThatThrownBy(() -> client.get("/linode/types"))
                .isInstanceOfSatisfying(LinodeApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("the API token from LINODE_TOKEN was refused").doesNotContain(wrong);
                });
        assertThat(client.toString()).doesNotContain(wrong).contains("LINODE_TOKEN");
    }

    @Test
    void aServerThatCannotBeReachedIsTriedAgainThenNamed() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RecordingSleeper sleeper = new RecordingSleeper();
        LinodeClient client = new LinodeClient(URI.create("http://127.0.0.1:" + port + "/v4"), new ApiToken("t0ken-value", "test"),
                LinodeClient.newHttpClient(), RetryPolicy.DEFAULT, sleeper, 500, Duration.ofSeconds(5));

        assertThatThrownBy(() -> client.post("/networking/firewalls", firewallBody("x-x-x", "ttt"), LinodeClient.Replay.ONCE))
                .isInstanceOfSatisfying(LinodeApiException.class, e -> {
                    assertThat(e.getMessage()).contains("cannot connect to 127.0.0.1:" + port).contains("after 6 attempts");
                    assertThat(e.maybeCarriedOut()).isFalse();
                });
        assertThat(sleeper.pauses()).hasSize(5);
    }

    /** The sandbox answers one error at a time; a stub shows that every entry of the list is kept. */
    @Test
    void keepsEveryFieldAndReasonOfAnErrorList() throws IOException {
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/v4/linode/instances", exchange -> {
            byte[] body = ("{\"errors\":[{\"field\":\"root_pass\",\"reason\":\"Password does not meet strength requirement.\"},"
                    + "{\"field\":\"label\",\"reason\":\"Label must be unique among your linodes\"},{\"reason\":\"Please try again\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        try {
            LinodeClient client = new LinodeClient(URI.create("http://127.0.0.1:" + stub.getAddress().getPort() + "/v4"),
                    new ApiToken("stub-token", "test"), LinodeClient.newHttpClient(), RetryPolicy.DEFAULT, new RecordingSleeper(),
                    500, Duration.ofSeconds(5));

            assertThatThrownBy(() -> client.post("/linode/instances", JsonNodeFactory.instance.objectNode(), LinodeClient.Replay.ONCE))
                    .isInstanceOfSatisfying(LinodeApiException.class, e -> {
                        assertThat(e.errors()).extracting(LinodeApiException.ApiError::toString).containsExactly(
                                "root_pass: Password does not meet strength requirement.",
                                "label: Label must be unique among your linodes",
                                "Please try again");
                        assertThat(e.getMessage()).isEqualTo("Linode API POST /linode/instances answered 400:"
                                + " root_pass: Password does not meet strength requirement.;"
                                + " label: Label must be unique among your linodes; Please try again");
                    });
        } finally {
            stub.stop(0);
        }
    }
}
