package dev.ferry.sandbox.vcenter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.world.VmImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content library, OVF capture and download sessions of the sandbox's vCenter, through plain java.net.http:
 * a local library on the datastore, a powered-off VM captured as an OVF item, its files prepared in a download
 * session until PREPARED, and ranged downloads from the ESXi host, trusted only through its CA bundle.
 */
class ContentLibraryApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Sandbox sandbox;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private String session() throws Exception {
        String basic = Base64.getEncoder().encodeToString((sandbox.vcenterUsername() + ":" + sandbox.vcenterPassword())
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(sandbox.vcenterUrl() + "/api/session"))
                .header("Authorization", "Basic " + basic).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(login.body()).asText();
    }

    private HttpResponse<String> call(String session, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.vcenterUrl() + path)).header("vmware-api-session-id", session)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void aCapturedVmIsDownloadedFileByFileFromTheEsxiHostWithRangedReads() throws Exception {
        String session = session();
        String datastore = json(call(session, "GET", "/api/vcenter/datastore?names=datastore1", null)).get(0).path("datastore").asText();
        HttpResponse<String> created = call(session, "POST", "/api/content/local-library", "{\"name\":\"staging\",\"type\":\"LOCAL\","
                + "\"storage_backings\":[{\"type\":\"DATASTORE\",\"datastore_id\":\"" + datastore + "\"}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String library = json(created).asText();
        assertThat(json(call(session, "POST", "/api/content/library?action=find", "{\"name\":\"staging\"}"))).extracting(JsonNode::asText)
                .containsExactly(library);

        String spec = "{\"source\":{\"type\":\"VirtualMachine\",\"id\":\"vm-1004\"},\"target\":{\"library_id\":\"" + library + "\"},"
                + "\"create_spec\":{\"name\":\"db-02\",\"description\":\"test\",\"flags\":[]}}";
        JsonNode result = json(call(session, "POST", "/api/vcenter/ovf/library-item", spec));
        assertThat(result.path("succeeded").asBoolean()).as(result.toString()).isTrue();
        String item = result.path("ovf_library_item_id").asText();
        JsonNode files = json(call(session, "GET", "/api/content/library/item/" + item + "/file", null));
        assertThat(files).extracting(file -> file.path("name").asText()).containsExactly("db-02.ovf", "db-02-disk1.vmdk", "db-02-disk2.vmdk");

        String download = json(call(session, "POST", "/api/content/library/item/download-session", "{\"library_item_id\":\"" + item + "\"}")).asText();
        assertThat(json(call(session, "GET", "/api/content/library/item/download-session/" + download, null)).path("state").asText())
                .isEqualTo("ACTIVE");
        String disk = "db-02-disk2.vmdk";
        JsonNode info = json(call(session, "POST", "/api/content/library/item/download-session/" + download + "/file?action=get",
                "{\"file_name\":\"" + disk + "\"}"));
        assertThat(info.path("status").asText()).isEqualTo("UNPREPARED");
        assertThat(info.has("download_endpoint")).isFalse();
        info = json(call(session, "POST", "/api/content/library/item/download-session/" + download + "/file?action=prepare",
                "{\"file_name\":\"" + disk + "\",\"endpoint_type\":\"HTTPS\"}"));
        assertThat(info.path("status").asText()).isEqualTo("PREPARE_REQUESTED");
        while (!info.path("status").asText().equals("PREPARED")) {
            Thread.sleep(5);
            info = json(call(session, "POST", "/api/content/library/item/download-session/" + download + "/file?action=get",
                    "{\"file_name\":\"" + disk + "\"}"));
            assertThat(info.path("status").asText()).isIn("PREPARE_REQUESTED", "PREPARING", "PREPARED");
        }
        URI uri = URI.create(info.path("download_endpoint").path("uri").asText());
        assertThat(uri.getScheme()).isEqualTo("https");
        assertThat(uri.getPort()).isEqualTo(sandbox.esxi().baseUri().getPort());

        // the same bytes as the disk in an OVA exported by hand
        Path ova = sandbox.world().vcenter().exportVmImage("db-02", dir.resolve("db-02.ova"), VmImageFormat.OVA);
        ContentLibraries.VmImageExport.Entry entry = ContentLibraries.VmImageExport.entries(ova).stream()
                .filter(e -> e.name().equals(disk)).findFirst().orElseThrow();
        byte[] expected = new byte[1000];
        try (InputStream in = Files.newInputStream(ova)) {
            in.skipNBytes(entry.offset() + 100);
            in.readNBytes(expected, 0, expected.length);
        }
        HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(sandbox.esxi().caBundle())).build();
        HttpResponse<byte[]> range = trusting.send(HttpRequest.newBuilder(uri).header("Range", "bytes=100-1099").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 100-1099/" + entry.size());
        assertThat(Arrays.equals(range.body(), expected)).isTrue();

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()))
                .as("the host's certificate is its own: the system's CAs do not vouch for it").isInstanceOf(SSLHandshakeException.class);

        assertThat(call(session, "DELETE", "/api/content/library/item/download-session/" + download, null).statusCode()).isEqualTo(204);
        assertThat(trusting.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("an ended session's URLs are gone").isEqualTo(404);
        assertThat(call(session, "DELETE", "/api/content/library/item/" + item, null).statusCode()).isEqualTo(204);
        assertThat(call(session, "DELETE", "/api/content/local-library/" + library, null).statusCode()).isEqualTo(204);
        assertThat(call(session, "GET", "/api/content/library/" + library, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aPoweredOnVmIsNotCapturedAndAClientTokenMakesARetryReturnTheSameLibrary() throws Exception {
        String session = session();
        String model = "{\"name\":\"retry\",\"type\":\"LOCAL\",\"storage_backings\":[{\"type\":\"DATASTORE\",\"datastore_id\":\""
                + ContentLibraries.DATASTORE_ID + "\"}]}";
        HttpRequest.Builder create = HttpRequest.newBuilder(URI.create(sandbox.vcenterUrl() + "/api/content/local-library"))
                .header("vmware-api-session-id", session).header("Client-Token", "7b8f9d1e-0000-4000-8000-000000000001")
                .POST(HttpRequest.BodyPublishers.ofString(model));
        String first = JSON.readTree(http.send(create.build(), HttpResponse.BodyHandlers.ofString()).body()).asText();
        String second = JSON.readTree(http.send(create.build(), HttpResponse.BodyHandlers.ofString()).body()).asText();
        assertThat(second).isEqualTo(first);

        String spec = "{\"source\":{\"type\":\"VirtualMachine\",\"id\":\"vm-1003\"},\"target\":{\"library_id\":\"" + first + "\"},"
                + "\"create_spec\":{\"name\":\"app-03\"}}";
        HttpResponse<String> refused = call(session, "POST", "/api/vcenter/ovf/library-item", spec);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).path("error_type").asText()).isEqualTo("NOT_ALLOWED_IN_CURRENT_STATE");
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + n++, certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
