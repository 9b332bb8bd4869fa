package dev.ferry.provider.vsphere.vcenter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.resource.Secret;
import dev.ferry.provider.vsphere.testing.FakeVcenter;
import dev.ferry.provider.vsphere.testing.SelfSignedTls;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VcenterClientTest {

    private static final String USER = "administrator@vsphere.local";
    private static final String PASSWORD = "S3cret-vc-Passw0rd!";

    private FakeVcenter vcenter;

    @BeforeEach
    void start() throws Exception {
        vcenter = FakeVcenter.http(USER, PASSWORD);
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 2, 4096, 20L << 30, 100L << 30);
        vcenter.addVm("vm-43", "db 01", "RHEL_8_64", "POWERED_ON", 4, 16384, 40L << 30);
    }

    @AfterEach
    void stop() {
        vcenter.close();
    }

    @Test
    void logsInFindsTheVmByNameReadsItAndLogsOut() {
        VmInfo info;
        try (VcenterClient client = client(PASSWORD)) {
            List<VmSummary> found = client.findByNames(List.of("app-02"));
            assertThat(found).singleElement().satisfies(vm -> {
                assertThat(vm.vm()).isEqualTo("vm-42");
                assertThat(vm.powerState()).isEqualTo("POWERED_OFF");
                assertThat(vm.cpuCount()).hasValue(2);
                assertThat(vm.memoryMib()).hasValue(4096);
            });
            info = client.vm("vm-42");
        }

        assertThat(info.name()).isEqualTo("app-02");
        assertThat(info.guestOs()).isEqualTo("UBUNTU_64");
        assertThat(info.cpuCount()).isEqualTo(2);
        assertThat(info.memoryMib()).isEqualTo(4096);
        assertThat(info.bootType()).hasValue("BIOS");
        assertThat(info.disks()).extracting(VmInfo.Disk::label).containsExactly("Hard disk 1", "Hard disk 2");
        assertThat(info.disks().get(1).capacityBytes()).hasValue(100L << 30);
        assertThat(info.disks().get(0).vmdkFile()).hasValue("[datastore1] app-02/app-02.vmdk");
        assertThat(info.nics()).singleElement().satisfies(nic -> {
            assertThat(nic.type()).hasValue("VMXNET3");
            assertThat(nic.networkName()).hasValue("VM Network");
        });
        assertThat(vcenter.log()).containsExactly(
                "POST /api/session", "GET /api/vcenter/vm?names=app-02", "GET /api/vcenter/vm/vm-42", "DELETE /api/session");
        assertThat(vcenter.liveSessions()).isZero();
    }

    @Test
    void findsManyVmsWithOneListCall() {
        try (VcenterClient client = client(PASSWORD)) {
            assertThat(client.findByNames(List.of("app-02", "db 01", "missing", "app-02")))
                    .extracting(VmSummary::vm).containsExactly("vm-42", "vm-43");
        }

        assertThat(vcenter.log()).filteredOn(line -> line.startsWith("GET")).containsExactly(
                "GET /api/vcenter/vm?names=app-02&names=db%2001&names=missing");
    }

    @Test
    void aWrongPasswordIsReportedWithoutTheAttemptedPassword() {
        try (VcenterClient client = client("not-the-password")) {
            assertThatThrownBy(() -> client.findByNames(List.of("app-02")))
                    .isInstanceOf(VcenterException.class)
                    .hasMessageContaining("refused the user name and password for '" + USER + "'")
                    .hasMessageContaining("401")
                    .hasMessageNotContaining("not-the-password");
        }
    }

    @Test
    void theFakeRefusesCallsWithoutASessionAsVcenterDoes() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(vcenter.endpoint() + "/api/vcenter/vm")).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"error_type\":\"UNAUTHENTICATED\"");
    }

    @Test
    void logsInAgainOnceWhenVcenterForgotTheSession() {
        try (VcenterClient client = client(PASSWORD)) {
            client.findByNames(List.of("app-02"));
            vcenter.expireSessions();

            assertThat(client.vm("vm-43").name()).isEqualTo("db 01");
        }

        assertThat(vcenter.log()).containsSubsequence("GET /api/vcenter/vm/vm-43", "POST /api/session", "GET /api/vcenter/vm/vm-43");
    }

    @Test
    void anUnknownVmIsNotFound() {
        try (VcenterClient client = client(PASSWORD)) {
            assertThatThrownBy(() -> client.vm("vm-9"))
                    .isInstanceOf(VcenterException.class)
                    .hasMessageContaining("404")
                    .hasMessageContaining("NOT_FOUND: Virtual machine with identifier 'vm-9' does not exist.");
        }
    }

    @Test
    void aMissingPrivilegeSaysWhichRoleToGive() {
        try (VcenterClient client = client(PASSWORD)) {
            client.findByNames(List.of("app-02"));
            vcenter.failNextWith(403);

            assertThatThrownBy(() -> client.vm("vm-42")).isInstanceOf(VcenterException.class)
                    .hasMessageContaining("HTTP 403").hasMessageContaining("Read-only role");
        }
    }

    @Test
    void retriesAVcenterThatIsBrieflyUnavailable() {
        try (VcenterClient client = client(PASSWORD)) {
            client.findByNames(List.of("app-02"));
            vcenter.failNextWith(503);

            assertThat(client.vm("vm-42").name()).isEqualTo("app-02");
        }
    }

    @Test
    void aRefusedConnectionNamesTheAddress() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port);
        try (VcenterClient client = new VcenterClient(closed, USER, new Secret(PASSWORD), false)) {
            assertThatThrownBy(() -> client.findByNames(List.of("app-02")))
                    .isInstanceOf(VcenterException.class)
                    .hasMessageContaining("cannot connect to vCenter " + closed)
                    .hasMessageContaining("providers.vsphere.vcenter");
        }
    }

    @Test
    void refusesAnUntrustedCertificateUnlessToldInsecure(@TempDir Path dir) throws Exception {
        try (FakeVcenter tls = FakeVcenter.https(USER, PASSWORD, SelfSignedTls.serverContext(dir))) {
            tls.addVm("vm-7", "lab", "CENTOS_8_64", "POWERED_OFF", 1, 1024, 8L << 30);

            try (VcenterClient strict = new VcenterClient(tls.endpoint(), USER, new Secret(PASSWORD), false)) {
                assertThatThrownBy(() -> strict.findByNames(List.of("lab")))
                        .isInstanceOf(VcenterException.class)
                        .hasMessageContaining("is not trusted")
                        .hasMessageContaining("insecure: true");
            }
            try (VcenterClient lenient = new VcenterClient(tls.endpoint(), USER, new Secret(PASSWORD), true)) {
                assertThat(lenient.findByNames(List.of("lab"))).extracting(VmSummary::vm).containsExactly("vm-7");
            }
        }
    }

    @Test
    void neverShowsThePasswordOrTheSession() {
        try (VcenterClient client = client(PASSWORD)) {
            client.findByNames(List.of("app-02"));

            assertThat(client.toString()).contains(USER).doesNotContain(PASSWORD).doesNotContain("session");
        }
    }

    @Test
    void acceptsTheEndpointWithATrailingSlashOrApi() {
        try (VcenterClient client = new VcenterClient(URI.create(vcenter.endpoint() + "/api/"), USER, new Secret(PASSWORD), false)) {
            assertThat(client.endpoint()).isEqualTo(vcenter.endpoint());
            assertThat(client.findByNames(List.of("app-02"))).hasSize(1);
        }
    }

    private VcenterClient client(String password) {
        return new VcenterClient(vcenter.endpoint(), USER, new Secret(password), false);
    }
}
