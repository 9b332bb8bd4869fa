package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.testing.LinodeOpenApiValidator;
import dev.ferry.sandbox.world.LinodeImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The image upload: POST /images/upload, then one PUT of the gzip'd disk to upload_to. */
class ImageUploadTest {

    private static final Sandbox sandbox = Sandbox.start(TestSandboxes.options(0.01)
            .linodeLimits(new LinodeLimits(4L * 1024 * 1024, 8L * 1024 * 1024)).build());
    private static final LinodeTestClient linode = new LinodeTestClient(sandbox);
    private static final HttpClient http = HttpClient.newHttpClient();

    @RegisterExtension
    static final LinodeOpenApiValidator openApi = LinodeOpenApiValidator.attachTo(sandbox);

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private record Upload(String imageId, String uploadTo) {
    }

    private static Upload start(String label) {
        LinodeTestClient.Reply reply = linode.post("/images/upload", Map.of("label", label, "region", "us-lax",
                "tags", List.of("migrated")));
        assertThat(reply.status()).isEqualTo(200);
        return new Upload(reply.body().at("/image/id").asText(), reply.body().get("upload_to").asText());
    }

    /** A raw disk-like payload: some structure, some noise. */
    private static byte[] disk(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Arrays.fill(bytes, size / 2, size, (byte) 0);
        bytes[510] = 0x55;
        bytes[511] = (byte) 0xAA;
        return bytes;
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(raw);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** PUT with a body of unknown length (chunked), as a streaming uploader sends it. */
    private static HttpResponse<String> putStreaming(String url, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String url, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String status(String imageId) {
        LinodeTestClient.Reply reply = linode.get("/images/" + imageId);
        return reply.status() == 404 ? "gone" : reply.body().get("status").asText();
    }

    private static LinodeImage image(String id) {
        return sandbox.world().linode().image(id).orElseThrow();
    }

    private static JsonNode uploadEvent(String imageId) {
        long number = Long.parseLong(imageId.substring("private/".length()));
        LinodeTestClient.Reply events = linode.get("/account/events", Map.of("X-Filter",
                "{\"action\": \"image_upload\", \"entity.id\": " + number + "}"));
        assertThat(events.body().get("data")).hasSize(1);
        return events.body().get("data").get(0);
    }

    @Test
    void aCompleteGzipBodyMakesTheImageAvailableAndItsDigestsAreRecorded() throws Exception {
        Upload upload = start("web-01-disk");
        assertThat(upload.uploadTo()).startsWith(sandbox.endpoint() + "/linode-uploads/").contains("X-Amz-Signature=");
        byte[] raw = disk(3 * 1024 * 1024 + 5, 1);
        byte[] compressed = gzip(raw);

        HttpResponse<String> response = putStreaming(upload.uploadTo(), compressed);
        assertThat(response.statusCode()).isEqualTo(200);
        TestSandboxes.waitUntil("available", Duration.ofSeconds(10), () -> status(upload.imageId())
                .equals("available"));

        LinodeImage image = image(upload.imageId());
        assertThat(image.upload().rawBytes()).isEqualTo(raw.length);
        assertThat(image.upload().rawSha256()).isEqualTo(sha256(raw));
        assertThat(image.upload().gzipBytes()).isEqualTo(compressed.length);
        assertThat(image.upload().gzipSha256()).isEqualTo(sha256(compressed));
        JsonNode api = linode.get("/images/" + upload.imageId()).body();
        assertThat(api.get("size").asInt()).isEqualTo(4);
        assertThat(uploadEvent(upload.imageId()).get("status").asText()).isEqualTo("finished");

        HttpResponse<String> again = put(upload.uploadTo(), compressed);
        assertThat(again.statusCode()).isEqualTo(403);
    }

    @Test
    void aFixedLengthBodyWorksToo() throws Exception {
        Upload upload = start("fixed-length");
        byte[] raw = disk(1024 * 1024, 2);
        assertThat(put(upload.uploadTo(), gzip(raw)).statusCode()).isEqualTo(200);
        TestSandboxes.waitUntil("available", Duration.ofSeconds(10), () -> status(upload.imageId())
                .equals("available"));
    }

    @Test
    void refusesAnUploadThatCarriesAnAuthorizationHeader() throws Exception {
        Upload upload = start("leaky");
        HttpResponse<String> response = put(upload.uploadTo(), gzip(disk(1024, 3)), "Authorization",
                "Bearer " + sandbox.linodeToken());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("InvalidArgument");
        assertThat(status(upload.imageId())).isEqualTo("pending_upload");
    }

    @Test
    void refusesAnUploadUrlWhoseSignatureWasDropped() throws Exception {
        Upload upload = start("unsigned");
        String bare = upload.uploadTo().substring(0, upload.uploadTo().indexOf('?'));
        assertThat(put(bare, gzip(disk(1024, 4))).statusCode()).isEqualTo(403);
        assertThat(status(upload.imageId())).isEqualTo("pending_upload");
    }

    @Test
    void aTruncatedGzipFailsTheImageAndTheEventSaysWhy() throws Exception {
        Upload upload = start("truncated");
        byte[] compressed = gzip(disk(2 * 1024 * 1024, 5));
        byte[] half = Arrays.copyOf(compressed, compressed.length / 2);
        assertThat(putStreaming(upload.uploadTo(), half).statusCode()).isEqualTo(200);

        assertThat(status(upload.imageId())).isEqualTo("gone");
        assertThat(image(upload.imageId()).status()).isEqualTo("failed");
        assertThat(image(upload.imageId()).failureReason()).contains("truncated");
        JsonNode event = uploadEvent(upload.imageId());
        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("message").asText()).contains("truncated");
    }

    @Test
    void aBodyThatIsNotGzipFailsTheImage() throws Exception {
        Upload upload = start("not-gzip");
        assertThat(put(upload.uploadTo(), disk(100_000, 6)).statusCode()).isEqualTo(200);
        assertThat(status(upload.imageId())).isEqualTo("gone");
        assertThat(uploadEvent(upload.imageId()).get("message").asText()).contains("not a valid gzip");
    }

    @Test
    void imagesOverTheCompressedOrRawLimitFail() throws Exception {
        Upload compressedTooBig = start("too-big-compressed");
        byte[] noise = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(noise);
        HttpResponse<String> refused = put(compressedTooBig.uploadTo(), gzip(noise));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("EntityTooLarge");
        assertThat(uploadEvent(compressedTooBig.imageId()).get("status").asText()).isEqualTo("failed");

        Upload rawTooBig = start("too-big-raw");
        byte[] zeros = new byte[9 * 1024 * 1024];
        assertThat(putStreaming(rawTooBig.uploadTo(), gzip(zeros)).statusCode()).isEqualTo(200);
        assertThat(status(rawTooBig.imageId())).isEqualTo("gone");
        assertThat(uploadEvent(rawTooBig.imageId()).get("message").asText()).contains("uncompressed");
    }

    @Test
    void aConnectionCutMidUploadLeavesTheImageWaitingAndARetrySucceeds() throws Exception {
        Upload upload = start("interrupted");
        byte[] compressed = gzip(disk(2 * 1024 * 1024, 8));
        sandbox.faults().set("services=linode-upload,cut=1,cut-direction=request,count=1");
        try {
            assertThatThrownBy(() -> put(upload.uploadTo(), compressed)).isInstanceOf(IOException.class);
        } finally {
            sandbox.faults().clear();
        }
        assertThat(status(upload.imageId())).isEqualTo("pending_upload");
        assertThat(sandbox.requests().matching(r -> r.service().equals("linode-upload") && r.fault() != null))
                .singleElement().satisfies(r -> assertThat(r.fault()).isEqualTo("cut:request"));

        assertThat(put(upload.uploadTo(), compressed).statusCode()).isEqualTo(200);
        TestSandboxes.waitUntil("available", Duration.ofSeconds(10), () -> status(upload.imageId())
                .equals("available"));
    }
}
