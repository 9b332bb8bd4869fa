package dev.ferry.sandbox;

import dev.ferry.sandbox.linode.LinodeTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DiskImageFormat;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxTest {

    @TempDir
    Path temp;

    @Test
    void printsTheEnvironmentThatPointsClientsAtIt() {
        try (Sandbox sandbox = TestSandboxes.start(0.01)) {
            Map<String, String> env = sandbox.environment();
            assertThat(env).containsOnlyKeys("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                    "AWS_REGION", "LINODE_API_URL", "LINODE_TOKEN", "VSPHERE_USER", "VSPHERE_PASSWORD", "VSPHERE_CA_BUNDLE",
                    "FERRY_LINODE_SSH_ENDPOINT", "FERRY_PROBE_PROXY");
            assertThat(env.get("FERRY_LINODE_SSH_ENDPOINT")).isEqualTo(sandbox.sshEndpoint())
                    .matches("127\\.0\\.0\\.1:\\d+");
            assertThat(env.get("FERRY_PROBE_PROXY")).startsWith("socks5://127.0.0.1:");
            assertThat(java.nio.file.Path.of(env.get("VSPHERE_CA_BUNDLE"))).as("the ESXi host's certificate, PEM").isRegularFile()
                    .content().startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(env.get("AWS_ENDPOINT_URL")).isEqualTo(sandbox.endpoint().toString())
                    .startsWith("http://127.0.0.1:");
            assertThat(env.get("LINODE_API_URL")).isEqualTo(sandbox.endpoint() + "/v4");
            assertThat(env.get("AWS_REGION")).isEqualTo("us-west-1");
            assertThat(sandbox.accountId()).isEqualTo("123456789012");
            assertThat(sandbox.exportLines()).contains("export AWS_ENDPOINT_URL='" + sandbox.endpoint() + "'\n")
                    .contains("export LINODE_TOKEN='" + sandbox.linodeToken() + "'\n")
                    .contains("export VSPHERE_USER='administrator@vsphere.local'\n")
                    .contains("export VSPHERE_PASSWORD='" + sandbox.vcenterPassword() + "'\n");
            assertThat(sandbox.vcenterUrl()).isEqualTo(sandbox.endpoint());
            assertThat(Sandbox.exportLines(Map.of("X", "it's"))).isEqualTo("export X='it'\\''s'\n");
            assertThat(sandbox.toString()).contains(sandbox.accessKeyId())
                    .doesNotContain(sandbox.secretAccessKey()).doesNotContain(sandbox.linodeToken())
                    .doesNotContain(sandbox.vcenterPassword());
        }
    }

    @Test
    void refusesAPortThatIsTaken() {
        try (Sandbox first = TestSandboxes.start(0.01)) {
            int port = first.endpoint().getPort();
            assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).port(port).build()))
                    .isInstanceOf(SandboxException.class).hasMessageContaining(String.valueOf(port));
        }
    }

    @Test
    void keepsTheWorldInItsStateDirectoryAndFinishesWhatWasInFlight() throws Exception {
        Path state = temp.resolve("state");
        String exportId;
        String imageId;
        long firewallId;
        String imported;
        try (Sandbox sandbox = Sandbox.start(TestSandboxes.options(0.2).stateDirectory(state).build());
             AwsClients clients = new AwsClients(sandbox);
             Ec2Client ec2 = clients.ec2();
             S3Client s3 = clients.s3();
             IamClient iam = clients.iam()) {
            MigrationSetup.bucket(s3, MigrationSetup.BUCKET);
            MigrationSetup.role(iam, MigrationSetup.BUCKET);
            s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("notes.txt"), RequestBody.fromString("kept"));
            imageId = ec2.createImage(r -> r.instanceId("i-0e1dc0292b0ae7293").name("kept-image")).imageId();
            TestSandboxes.waitUntil("image", Duration.ofSeconds(20), () -> ec2.describeImages(r -> r.imageIds(imageId))
                    .images().get(0).stateAsString().equals("available"));
            exportId = ec2.exportImage(r -> r.imageId(imageId).diskImageFormat(DiskImageFormat.RAW)
                    .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET))).exportImageTaskId();

            LinodeTestClient linode = new LinodeTestClient(sandbox);
            firewallId = linode.post("/networking/firewalls", Map.of("label", "kept-fw", "rules",
                    Map.of("inbound_policy", "DROP", "outbound_policy", "ACCEPT"))).body().get("id").asLong();
            LinodeTestClient.Reply upload = linode.post("/images/upload", Map.of("label", "kept", "region", "us-lax"));
            imported = upload.body().at("/image/id").asText();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(new byte[1024 * 1024]);
            }
            HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(upload.body().get("upload_to").asText())).PUT(HttpRequest.BodyPublishers.ofByteArray(
                    gz.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
        }
        assertThat(state.resolve("world.json")).exists();

        try (Sandbox sandbox = Sandbox.start(TestSandboxes.options(0.2).stateDirectory(state).build());
             AwsClients clients = new AwsClients(sandbox);
             Ec2Client ec2 = clients.ec2();
             S3Client s3 = clients.s3();
             IamClient iam = clients.iam()) {
            assertThat(s3.getObjectAsBytes(r -> r.bucket(MigrationSetup.BUCKET).key("notes.txt")).asUtf8String())
                    .isEqualTo("kept");
            assertThat(iam.getRolePolicy(r -> r.roleName("vmimport").policyName("vmimport")).policyDocument())
                    .isNotBlank();
            assertThat(ec2.describeImages(r -> r.imageIds(imageId)).images()).hasSize(1);
            String key = exportId + ".raw";
            TestSandboxes.waitUntil("the export begun before the restart", Duration.ofSeconds(20), () ->
                    ec2.describeExportImageTasks(r -> r.exportImageTaskIds(exportId)).exportImageTasks().get(0)
                            .status().equals("completed"));
            assertThat(s3.headObject(r -> r.bucket(MigrationSetup.BUCKET).key(key)).contentLength())
                    .isEqualTo(Files.size(sandbox.world().ec2().rootDiskImage("i-0e1dc0292b0ae7293")));

            LinodeTestClient linode = new LinodeTestClient(sandbox);
            assertThat(linode.get("/networking/firewalls/" + firewallId).body().get("label").asText())
                    .isEqualTo("kept-fw");
            TestSandboxes.waitUntil("the uploaded image", Duration.ofSeconds(20), () ->
                    linode.get("/images/" + imported).body().get("status").asText().equals("available"));
            long next = linode.post("/networking/firewalls", Map.of("label", "new-fw", "rules",
                    Map.of("inbound_policy", "DROP", "outbound_policy", "ACCEPT"))).body().get("id").asLong();
            assertThat(next).isGreaterThan(firewallId);
        }
    }

    @Test
    void refusesAStateDirectoryOfAnotherAccount() throws Exception {
        Path state = temp.resolve("other");
        try (Sandbox sandbox = Sandbox.start(TestSandboxes.options(0.01).stateDirectory(state).build());
             AwsClients clients = new AwsClients(sandbox);
             S3Client s3 = clients.s3()) {
            MigrationSetup.bucket(s3, "something");
        }
        Path world = temp.resolve("world.yaml");
        Files.writeString(world, "account: \"210987654321\"\n");
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(world).stateDirectory(state)
                .build())).isInstanceOf(SandboxException.class).hasMessageContaining("123456789012")
                .hasMessageContaining("210987654321");
    }

}
