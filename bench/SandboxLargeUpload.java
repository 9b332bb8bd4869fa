import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Streams a large gzip'd disk (chunked, length unknown) to a Linode upload URL in a small heap, to show that
 * the sandbox inflates and digests it without holding it. Args: raw size in MiB (default 2048).
 */
public class SandboxLargeUpload {
    public static void main(String[] args) throws Exception {
        long rawMiB = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        HttpClient http = HttpClient.newHttpClient();
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.builder().timeScale(0).build())) {
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(sandbox.linodeApiUrl()
                    + "/images/upload")).header("Authorization", "Bearer " + sandbox.linodeToken())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"label\":\"big\",\"region\":\"us-lax\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String uploadTo = upload.body().replaceAll(".*\"upload_to\":\"([^\"]+)\".*", "$1");
            PipedInputStream body = new PipedInputStream(1 << 20);
            PipedOutputStream sink = new PipedOutputStream(body);
            Thread producer = new Thread(() -> produce(sink, rawMiB));
            long start = System.nanoTime();
            producer.start();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(uploadTo))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - start) / 1e9;
            var image = sandbox.world().linode().images().get(0);
            Runtime rt = Runtime.getRuntime();
            System.out.printf("status=%d raw=%d MiB gzip=%.1f MiB in %.1f s: %.0f MiB/s raw through the sandbox, "
                            + "max heap %d MiB, image %s%n", put.statusCode(), image.upload().rawBytes() >> 20,
                    image.upload().gzipBytes() / 1048576.0, seconds, rawMiB / seconds, rt.maxMemory() >> 20,
                    image.status());
        }
    }

    /** A disk-like stream: every 16th MiB incompressible, the rest mostly zeros with a little text. */
    private static void produce(OutputStream sink, long rawMiB) {
        byte[] noise = new byte[1 << 20];
        new Random(1).nextBytes(noise);
        byte[] sparse = new byte[1 << 20];
        for (int i = 0; i < sparse.length; i += 4096) {
            sparse[i] = 'x';
        }
        try (OutputStream gzip = new GZIPOutputStream(sink, 1 << 16)) {
            for (long i = 0; i < rawMiB; i++) {
                gzip.write(i % 16 == 0 ? noise : sparse);
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

}
