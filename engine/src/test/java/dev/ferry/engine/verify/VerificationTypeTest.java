package dev.ferry.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.spec.VerifySpec;
import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verify step against loopback listeners: what it records of the source, and what it says of the target. */
class VerificationTypeTest {

    private static final ResourceAddress ADDRESS = ResourceAddress.managed(VerificationType.NAME, "web-01");
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final VerificationType type = new VerificationType(() -> new Prober(Optional.empty(), Duration.ofSeconds(2)), Clock.systemUTC());

    @AfterEach
    void close() throws IOException {
        for (ServerSocket listener : listeners) {
            listener.close();
        }
    }

    /** Listens on {@code host} and answers every connection with an HTTP status line. */
    private int listen(String host, int port, int status) throws IOException {
        ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName(host));
        listeners.add(server);
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket client = server.accept()) {
                    InputStream in = client.getInputStream();
                    in.read(new byte[4096]);
                    client.getOutputStream().write(("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed, or the client only connected
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return server.getLocalPort();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Attributes desired(List<Check> checks, long timeoutSeconds, boolean withTarget) {
        ObjectNode machine = JsonNodeFactory.instance.objectNode();
        machine.putArray("public_addresses").add("127.0.0.1");
        machine.putArray("private_addresses");
        Attributes.Builder builder = Attributes.builder()
                .known("checks", Check.toJson(checks))
                .known("timeout_seconds", JsonNodeFactory.instance.numberNode(timeoutSeconds))
                .known("address", JsonNodeFactory.instance.textNode("public"))
                .known("target_kind", JsonNodeFactory.instance.textNode("linode"))
                .known("source", machine);
        if (withTarget) {
            ObjectNode target = JsonNodeFactory.instance.objectNode();
            target.putArray("public").add("127.0.0.2");
            target.putArray("private");
            builder.known("target", target);
        } else {
            builder.unknown("target");
        }
        return builder.build();
    }

    @Test
    void planningProbesTheSourceAndRecordsWhatAnswered() throws IOException {
        int open = listen("127.0.0.1", 0, 200);
        int closed = closedPort();
        List<Check> checks = List.of(new Check.Tcp(open), new Check.Tcp(closed), new Check.Http("http://{address}:" + open + "/health", 200));

        PlanResult planned = type.plan(new PlanRequest(ADDRESS, desired(checks, 60, false), Optional.empty()));

        assertThat(planned.errors()).isEmpty();
        assertThat(planned.planned().isUnknown("target_address")).isTrue();
        assertThat(planned.planned().get("source_address").asText()).isEqualTo("127.0.0.1");
        assertThat(planned.planned().get("source_results")).extracting(r -> r.path("check").asText() + "=" + r.path("answered").asBoolean())
                .containsExactly("tcp/" + open + "=true", "tcp/" + closed + "=false", "GET http://{address}:" + open + "/health=true");
        assertThat(planned.notes()).extracting(Note::text).contains(
                "probed on the source 127.0.0.1 directly: tcp/" + open + ", GET http://{address}:" + open + "/health answered",
                "tcp/" + closed + " did not answer on the source (connection refused), so the target is not required to answer it");
    }

    @Test
    void aSourceAlreadyVerifiedIsNotProbedAgain() throws IOException {
        int closed = closedPort();
        List<Check> checks = List.of(new Check.Tcp(closed));
        ObjectNode recorded = JsonNodeFactory.instance.objectNode().put("address", "public").put("source_address", "127.0.0.3");
        recorded.set("source_results", Results.sourceJson(checks, Map.of("tcp/" + closed, new Prober.Answer(true, "accepted a connection"))));

        PlanResult planned = type.plan(new PlanRequest(ADDRESS, desired(checks, 60, true),
                Optional.of(new PriorState("127.0.0.2", recorded, JsonNodeFactory.instance.objectNode()))));

        assertThat(planned.planned().get("source_results").get(0).path("answered").asBoolean())
                .as("the source is shut down after the move; what it answered then still counts").isTrue();
        assertThat(planned.notes()).extracting(Note::text).anyMatch(text -> text.contains("as recorded when first verified"));
        assertThat(planned.planned().get("target_address").asText()).isEqualTo("127.0.0.2");
        assertThat(planned.planned().get("source_address").asText()).as("the address it had then").isEqualTo("127.0.0.3");
    }

    @Test
    void theTargetPassesWhenWhatAnsweredOnTheSourceAnswersThere() throws IOException {
        int port = listen("127.0.0.1", 0, 200);
        listen("127.0.0.2", port, 200);
        List<Check> checks = List.of(new Check.Tcp(port), new Check.Http("http://{address}:" + port + "/", 200));
        Attributes planned = type.plan(new PlanRequest(ADDRESS, desired(checks, 60, true), Optional.empty())).planned();

        Outcome outcome = type.create(new Context(planned));

        assertThat(outcome).isInstanceOf(Outcome.Done.class);
        JsonNode results = ((Outcome.Done) outcome).outputs().get("results");
        assertThat(results).extracting(r -> Results.sentence(r, "the Linode")).containsExactly(
                "tcp/" + port + " answered on the source and answers on the Linode",
                "GET http://{address}:" + port + "/ answered on the source and answers on the Linode");
    }

    @Test
    void aServiceThatAnswersWithAnotherStatusFailsAfterTheTimeoutSayingWhatItAnswered() throws IOException {
        int port = listen("127.0.0.1", 0, 200);
        listen("127.0.0.2", port, 503);
        List<Check> checks = List.of(new Check.Tcp(port), new Check.Http("http://{address}:" + port + "/health", 200));
        Attributes planned = type.plan(new PlanRequest(ADDRESS, desired(checks, 0, true), Optional.empty())).planned();

        assertThatThrownBy(() -> type.create(new Context(planned))).isInstanceOf(FerryException.class)
                .hasMessageStartingWith("1 check that answered on the source 127.0.0.1 does not answer on the Linode 127.0.0.2 after 0s: GET"
                        + " http://{address}:" + port + "/health (answered 503, expected 200).")
                .hasMessageContaining("reaches the service, which answered 503, expected 200")
                .hasMessageNotContaining("the boot:");
    }

    @Test
    void aTargetWhereNothingAnswersPointsAtTheBootToo() throws IOException {
        int port = listen("127.0.0.1", 0, 200);
        List<Check> checks = List.of(new Check.Tcp(port));
        Attributes planned = type.plan(new PlanRequest(ADDRESS, desired(checks, 0, true), Optional.empty())).planned();

        assertThatThrownBy(() -> type.create(new Context(planned))).hasMessageContaining("tcp/" + port + " (connection refused)")
                .hasMessageContaining("the boot: nothing answers").hasMessageContaining("Cloud Firewall accept TCP " + port);
    }

    @Test
    void aProxyThatIsNotSocks5IsAClearErrorOnceSomethingIsVerified() {
        VerificationType misconfigured = new VerificationType(Map.of(Prober.PROXY_VARIABLE, "http://127.0.0.1:1080"));
        assertThatThrownBy(() -> misconfigured.plan(new PlanRequest(ADDRESS, desired(List.of(new Check.Tcp(22)), 60, false), Optional.empty())))
                .isInstanceOf(FerryException.class)
                .hasMessage("FERRY_PROBE_PROXY is 'http://127.0.0.1:1080', which is not a SOCKS5 proxy URL; write it as"
                        + " socks5://HOST:PORT, or unset it to probe the machines directly");
    }

    @Test
    void theSpecTimeoutReadsSecondsMinutesAndHours() {
        assertThat(new VerifySpec(List.of(22), null, Optional.of("90s"), null).timeoutDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(new VerifySpec(List.of(22), null, Optional.of("2h"), null).timeoutDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(new VerifySpec(List.of(22), null, null, null).timeoutDuration()).isEqualTo(Duration.ofMinutes(5));
    }

    /** Only the arguments: the verify step needs nothing else of the engine. */
    private record Context(Attributes arguments) implements ApplyContext {
        @Override
        public Identity identity() {
            return new Identity(ADDRESS, "lineage", 1);
        }

        @Override
        public Optional<PriorState> prior() {
            return Optional.empty();
        }

        @Override
        public Secret secret(String name) {
            throw new UnsupportedOperationException(name);
        }

        @Override
        public void progress(String status) {
        }

        @Override
        public void progress(String status, double percent) {
        }

        @Override
        public void transferred(String status, long bytes, long totalBytes) {
        }

        @Override
        public RangedByteSource openDiskImage(JsonNode diskImage) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkpoint(Operation operation) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }
}
