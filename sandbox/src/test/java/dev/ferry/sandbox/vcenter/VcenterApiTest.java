package dev.ferry.sandbox.vcenter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.http.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vCenter REST subset through plain java.net.http, as the vSphere provider's client talks to it (and as
 * its FakeVcenter answers): session by basic authentication, the session header on every other call, VM
 * lists filtered by repeated names and power states, VM details, vAPI errors.
 */
class VcenterApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Sandbox sandbox;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void noFaults() {
        sandbox.faults().clear();
    }

    private record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(sandbox.vcenterUrl() + pathAndQuery))
                .header("Accept", "application/json");
    }

    private Reply login(String user, String password) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return send(request("/api/session").header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private String session() {
        Reply login = login(sandbox.vcenterUsername(), sandbox.vcenterPassword());
        assertThat(login.status()).isEqualTo(201);
        return login.json().asText();
    }

    private Reply get(String session, String pathAndQuery) {
        return send(request(pathAndQuery).header("vmware-api-session-id", session).GET());
    }

    private static void assertVapiError(Reply reply, int status, String type) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = reply.json();
        assertThat(error.get("error_type").asText()).isEqualTo(type);
        assertThat(error.get("messages").get(0).get("default_message").asText()).isNotBlank();
        assertThat(error.get("messages").get(0).get("id").asText()).isNotBlank();
        assertThat(error.get("messages").get(0).get("args").isArray()).isTrue();
    }

    @Test
    void basicAuthenticationOpensASessionWhoseIdIsABareJsonString() {
        Reply login = login("administrator@VSPHERE.LOCAL", sandbox.vcenterPassword());
        assertThat(login.status()).isEqualTo(201);
        assertThat(login.body()).startsWith("\"").endsWith("\"");
        String session = login.json().asText();
        assertThat(session).matches("[0-9a-f]{32}");

        JsonNode who = get(session, "/api/session").json();
        assertThat(who.get("user").asText()).isEqualTo("VSPHERE.LOCAL\\administrator");
        assertThat(who.get("created_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void aWrongPasswordOrNoCredentialsGet401Unauthenticated() {
        assertVapiError(login(sandbox.vcenterUsername(), "not-the-password"), 401, "UNAUTHENTICATED");
        assertVapiError(login("someone@vsphere.local", sandbox.vcenterPassword()), 401, "UNAUTHENTICATED");
        assertVapiError(send(request("/api/session").POST(HttpRequest.BodyPublishers.noBody())), 401,
                "UNAUTHENTICATED");
        assertVapiError(send(request("/api/session").header("Authorization", "Basic !!notbase64")
                .POST(HttpRequest.BodyPublishers.noBody())), 401, "UNAUTHENTICATED");
    }

    @Test
    void everyOtherCallNeedsALiveSessionHeader() {
        assertVapiError(send(request("/api/vcenter/vm").GET()), 401, "UNAUTHENTICATED");
        assertVapiError(get("0123456789abcdef0123456789abcdef", "/api/vcenter/vm"), 401, "UNAUTHENTICATED");
        assertVapiError(get("anything", "/api/no/such/thing"), 401, "UNAUTHENTICATED");
        String session = session();
        assertVapiError(get(session, "/api/no/such/thing"), 404, "NOT_FOUND");
        assertThat(get(session, "/api/vcenter/vm").status()).isEqualTo(200);
    }

    @Test
    void listsVmsFilteredByRepeatedNamesAndPowerStates() {
        String session = session();
        JsonNode all = get(session, "/api/vcenter/vm").json();
        assertThat(all.isArray()).isTrue();
        assertThat(all.findValuesAsText("name")).containsExactly("app-02", "app-03", "db-02");

        JsonNode two = get(session, "/api/vcenter/vm?names=app-02&names=db-02").json();
        assertThat(two).hasSize(2);
        JsonNode app02 = two.get(0);
        assertThat(app02.get("vm").asText()).isEqualTo("vm-1002");
        assertThat(app02.get("name").asText()).isEqualTo("app-02");
        assertThat(app02.get("power_state").asText()).isEqualTo("POWERED_OFF");
        assertThat(app02.get("cpu_count").asInt()).isEqualTo(2);
        assertThat(app02.get("memory_size_MiB").asLong()).isEqualTo(4096);
        assertThat(two.get(1).get("vm").asText()).isEqualTo("vm-1004");

        JsonNode on = get(session, "/api/vcenter/vm?power_states=POWERED_ON").json();
        assertThat(on.findValuesAsText("name")).containsExactly("app-03");
        assertThat(get(session, "/api/vcenter/vm?names=app-02&power_states=POWERED_ON").json()).isEmpty();
        assertThat(get(session, "/api/vcenter/vm?names=nobody").json()).isEmpty();
        assertThat(get(session, "/api/vcenter/vm?vms=vm-1003").json().findValuesAsText("name"))
                .containsExactly("app-03");
        assertThat(get(session, "/api/vcenter/vm?datacenters=" + VcenterApi.INVENTORY.get("datacenters")).json())
                .hasSize(3);
        assertThat(get(session, "/api/vcenter/vm?datacenters=datacenter-99").json()).isEmpty();

        assertVapiError(get(session, "/api/vcenter/vm?power_states=ON"), 400, "INVALID_ARGUMENT");
        Reply restStyle = get(session, "/api/vcenter/vm?filter.names=app-02");
        assertVapiError(restStyle, 400, "INVALID_ARGUMENT");
        assertThat(restStyle.body()).contains("filter.names");
    }

    @Test
    void vmDetailsDescribeTheHardwareAndAnUnknownVmIs404() {
        String session = session();
        JsonNode vm = get(session, "/api/vcenter/vm/vm-1002").json();
        assertThat(vm.get("name").asText()).isEqualTo("app-02");
        assertThat(vm.get("guest_OS").asText()).isEqualTo("UBUNTU_64");
        assertThat(vm.get("power_state").asText()).isEqualTo("POWERED_OFF");
        assertThat(vm.at("/cpu/count").asInt()).isEqualTo(2);
        assertThat(vm.at("/memory/size_MiB").asLong()).isEqualTo(4096);
        assertThat(vm.at("/boot/type").asText()).isEqualTo("BIOS");
        assertThat(vm.at("/hardware/version").asText()).isEqualTo("VMX_19");
        assertThat(vm.at("/identity/instance_uuid").asText()).matches("[0-9a-f-]{36}");
        assertThat(vm.get("disks").size()).isEqualTo(1);
        JsonNode disk = vm.get("disks").get("2000");
        assertThat(disk.get("label").asText()).isEqualTo("Hard disk 1");
        assertThat(disk.get("capacity").asLong()).isEqualTo(8L << 30);
        assertThat(disk.at("/backing/vmdk_file").asText()).isEqualTo("[datastore1] app-02/app-02.vmdk");
        JsonNode nic = vm.get("nics").get("4000");
        assertThat(nic.get("type").asText()).isEqualTo("VMXNET3");
        assertThat(nic.get("mac_address").asText()).matches("00:50:56(:[0-9a-f]{2}){3}");
        assertThat(nic.get("state").asText()).isEqualTo("NOT_CONNECTED");
        assertThat(nic.at("/backing/network_name").asText()).isEqualTo("VM Network");

        JsonNode app03 = get(session, "/api/vcenter/vm/vm-1003").json();
        assertThat(app03.at("/boot/type").asText()).isEqualTo("EFI");
        assertThat(app03.at("/nics/4000/state").asText()).isEqualTo("CONNECTED");
        assertThat(get(session, "/api/vcenter/vm/vm-1003/power").json().get("state").asText()).isEqualTo("POWERED_ON");
        assertThat(get(session, "/api/vcenter/vm/vm-1004").json().get("disks").size()).isEqualTo(2);

        Reply missing = get(session, "/api/vcenter/vm/vm-9999");
        assertVapiError(missing, 404, "NOT_FOUND");
        assertThat(missing.json().at("/messages/0/args/0").asText()).isEqualTo("vm-9999");
        assertThat(missing.json().at("/messages/0/default_message").asText()).contains("vm-9999");
    }

    @Test
    void deletingTheSessionEndsItAndExpiredSessionsAreRefused() {
        String session = session();
        int open = sandbox.world().vcenter().sessionCount();
        Reply delete = send(request("/api/session").header("vmware-api-session-id", session).DELETE());
        assertThat(delete.status()).isEqualTo(204);
        assertThat(delete.body()).isEmpty();
        assertThat(sandbox.world().vcenter().sessionCount()).isEqualTo(open - 1);
        assertVapiError(get(session, "/api/vcenter/vm"), 401, "UNAUTHENTICATED");

        String another = session();
        sandbox.world().vcenter().expireSessions();
        assertThat(sandbox.world().vcenter().sessionCount()).isZero();
        assertVapiError(get(another, "/api/vcenter/vm"), 401, "UNAUTHENTICATED");
    }

    @Test
    void powerStateChangesShowInTheApi() {
        String session = session();
        sandbox.world().vcenter().setVmPowerState("app-02", "POWERED_ON");
        try {
            assertThat(get(session, "/api/vcenter/vm?power_states=POWERED_ON").json().findValuesAsText("name"))
                    .containsExactly("app-02", "app-03");
        } finally {
            sandbox.world().vcenter().setVmPowerState("vm-1002", "POWERED_OFF");
        }
    }

    @Test
    void requestsAreLoggedAsVcenterWithoutCredentials() {
        sandbox.requests().clear();
        String session = session();
        get(session, "/api/vcenter/vm?names=app-02");
        get(session, "/api/vcenter/vm/vm-1002");
        get(session, "/api/vcenter/vm/vm-4242");
        assertThat(sandbox.requests().count("vcenter:POST /api/session")).isEqualTo(1);
        assertThat(sandbox.requests().count("vcenter:GET /api/vcenter/vm")).isEqualTo(1);
        assertThat(sandbox.requests().count("vcenter:GET /api/vcenter/vm/{vm}")).isEqualTo(2);
        assertThat(sandbox.requests().successCount("vcenter:GET /api/vcenter/vm/{vm}")).isEqualTo(1);
        List<LoggedRequest> logged = sandbox.requests().forService("vcenter");
        assertThat(logged).hasSize(4);
        assertThat(logged.toString()).doesNotContain(sandbox.vcenterPassword()).doesNotContain(session);
    }

    @Test
    void faultsApplyToTheVcenterService() {
        String session = session();
        sandbox.faults().set("services=vcenter,rate=1,statuses=503");
        Reply busy = get(session, "/api/vcenter/vm");
        assertVapiError(busy, 503, "SERVICE_UNAVAILABLE");
        assertThat(busy.raw().headers().firstValue("Retry-After")).hasValue("1");

        sandbox.faults().set("services=vcenter,actions=GET /api/vcenter/vm/{vm},rate=1,statuses=500");
        assertThat(get(session, "/api/vcenter/vm").status()).isEqualTo(200);
        assertVapiError(get(session, "/api/vcenter/vm/vm-1002"), 500, "INTERNAL_SERVER_ERROR");

        sandbox.faults().set("services=linode,rate=1,statuses=500");
        assertThat(get(session, "/api/vcenter/vm/vm-1002").status()).isEqualTo(200);
    }
}
