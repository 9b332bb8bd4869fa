package dev.ferry.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.Main;
import dev.ferry.cli.VcenterExportToEc2Test;
import dev.ferry.provider.vsphere.VsphereProvider;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.http.LoggedRequest;
import dev.ferry.sandbox.world.VmImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The figures of bench/vsphere-export/run.sh (see its header): a VM whose disk is the given raw file, captured from
 * the sandbox's vCenter and (a) streamed by {@code ferry apply} (its own JVM, under /usr/bin/time) from the download
 * session into the S3 multipart upload, against (b) the two-step path in its own JVM: the template's files downloaded
 * from the same ESXi host into a local OVA file, then that file uploaded with the AWS SDK's multipart upload, parts
 * as {@code aws s3 cp} sends them. The sandbox runs in this JVM with its clock at 0.
 *
 * <p>Usage: {@code VcenterExportBench WORK_DIR RAW_DISK}
 */
public final class VcenterExportBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = "ferry-bench-export";
    private static final long MIB = 1L << 20;

    private VcenterExportBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("two-step")) {
            twoStep(args);
            return;
        }
        Path work = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        Path disk = Path.of(args[1]).toAbsolutePath();
        Path cache = Files.createDirectories(work.resolve("sandbox-cache"));
        Path ferryDir = Files.createDirectories(work.resolve("ferry"));
        SandboxOptions options = SandboxOptions.builder().world(KilledVcenterStreamResumesTest.world(disk)).timeScale(0.0)
                .cacheDirectory(cache).build();
        try (Sandbox sandbox = Sandbox.start(options)) {
            Files.writeString(ferryDir.resolve("migration.yaml"), """
                    apiVersion: ferry/v1
                    kind: Migration
                    metadata: {name: export-bench}
                    providers:
                      aws: {region: us-west-1}
                      vsphere: {vcenter: https://vc.example.com, username: "${env:VSPHERE_USER}", password: "${env:VSPHERE_PASSWORD}"}
                    staging: {bucket: %s, prefix: imports/, create: true, cleanup: keep}
                    migrations:
                      - name: app-02
                        source: {vsphere: {vm: app-02, datastore: datastore1}}
                        target:
                          ec2: {subnet: subnet-0abc1234, instance_type: match, family: t3, security_groups: [sg-0123456789abcdef0]}
                    """.formatted(BUCKET));
            // the capture is the sandbox's work, untimed: an OVA of the VM made once, before either road
            Path reference = sandbox.world().vcenter().exportVmImage("app-02", work.resolve("reference.ova"), VmImageFormat.OVA);
            Map<String, String> expected = VcenterExportToEc2Test.entries(Files.newInputStream(reference));
            expected.remove("app-02.mf");
            Files.delete(reference);
            System.out.printf("VM disk: %s (%.0f MiB apparent, %.0f MiB allocated)%n", disk, Files.size(disk) / (double) MIB,
                    allocated(disk) / (double) MIB);
            System.out.println("ferry's JVM options: -Xmx256m " + BenchJvm.describe() + "; the two-step path's: -Xmx256m");

            // (a) ferry: capture, download session, ranged reads streamed into the multipart upload, import, launch
            List<String> apply = new ArrayList<>(List.of(java(), "-Xmx256m"));
            apply.addAll(BenchJvm.options());
            apply.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "apply", "--auto-approve"));
            double[] ferry = timed(ferryDir, sandbox, apply);
            List<LoggedRequest> s3 = sandbox.requests().forService("s3");
            LoggedRequest create = s3.stream().filter(r -> r.action().equals("CreateMultipartUpload")).findFirst().orElseThrow();
            LoggedRequest complete = s3.stream().filter(r -> r.action().equals("CompleteMultipartUpload")).reduce((x, y) -> y).orElseThrow();
            double stream = (complete.time().plus(complete.duration()).toEpochMilli() - create.time().toEpochMilli()) / 1000.0;
            String key = "imports/app-02.ova";
            long size = sandbox.world().s3().object(BUCKET, key).orElseThrow().size();
            boolean same = VcenterExportToEc2Test.entries(sandbox.world().s3().openObject(BUCKET, key)).equals(expected);
            long local = bytesUnder(ferryDir) - Files.size(ferryDir.resolve("migration.yaml"));
            System.out.printf("(a) ferry apply: %.1f s wall (the stream vCenter -> S3, CreateMultipartUpload to CompleteMultipartUpload:"
                    + " %.1f s, %.0f MiB/s), %.1f s CPU, peak RSS %.0f MiB; OVA %.0f MiB, entries' SHA-256 %s the VM's;"
                    + " local bytes written besides the state: %d%n", ferry[0], stream, size / MIB / stream, ferry[1], ferry[2],
                    size / (double) MIB, same ? "equal" : "DIFFER FROM", Math.max(0, local - stateBytes(ferryDir)));
            if (!same) {
                throw new IllegalStateException("the streamed OVA differs from the VM's");
            }

            // (b) the two-step path on a capture of its own (untimed), from the same ESXi host
            List<String> files = prepared(sandbox);
            Path ova = work.resolve("download/app-02.ova");
            Files.createDirectories(ova.getParent());
            List<String> child = new ArrayList<>(List.of(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    VcenterExportBench.class.getName(), "two-step", ova.toString(), sandbox.esxi().caBundle().toString(),
                    sandbox.endpoint().toString(), sandbox.accessKeyId(), sandbox.secretAccessKey(), BUCKET, "two-step/app-02.ova"));
            child.addAll(files);
            double[] two = timed(work, sandbox, child);
            String printed = Files.readString(work.resolve("out.log")).strip();
            long localBytes = allocated(ova);
            long twoSize = sandbox.world().s3().object(BUCKET, "two-step/app-02.ova").orElseThrow().size();
            System.out.printf("(b) download to a file, then multipart upload: %.1f s wall (%s), %.1f s CPU, peak RSS %.0f MiB;"
                    + " local disk %.0f MiB%n", two[0], printed, two[1], two[2], localBytes / (double) MIB);
            if (twoSize != size) {
                throw new IllegalStateException("the two-step upload holds " + twoSize + " bytes, ferry's " + size);
            }
            Files.delete(ova);
            System.out.printf("ratio: stream step %.2f of the two-step path (goal <= 0.6); whole apply %.2f; ferry RSS %.0f MiB"
                    + " (goal <= 300)%n", stream / two[0], ferry[0] / two[0], ferry[2]);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A capture of app-02 into a library of its own, with a download session whose files are prepared: name=url pairs. */
    private static List<String> prepared(Sandbox sandbox) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String basic = Base64.getEncoder().encodeToString((sandbox.vcenterUsername() + ":" + sandbox.vcenterPassword())
                .getBytes(StandardCharsets.UTF_8));
        String session = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sandbox.vcenterUrl() + "/api/session"))
                .header("Authorization", "Basic " + basic).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).body()).asText();
        Vc vc = (method, path, body) -> JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sandbox.vcenterUrl() + path))
                .header("vmware-api-session-id", session).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String datastore = vc.call("GET", "/api/vcenter/datastore?names=datastore1", null).get(0).path("datastore").asText();
        String library = vc.call("POST", "/api/content/local-library", "{\"name\":\"two-step\",\"type\":\"LOCAL\","
                + "\"storage_backings\":[{\"type\":\"DATASTORE\",\"datastore_id\":\"" + datastore + "\"}]}").asText();
        JsonNode result = vc.call("POST", "/api/vcenter/ovf/library-item", "{\"source\":{\"type\":\"VirtualMachine\",\"id\":\"vm-1002\"},"
                + "\"target\":{\"library_id\":\"" + library + "\"},\"create_spec\":{\"name\":\"app-02-two-step\",\"flags\":[]}}");
        String item = result.path("ovf_library_item_id").asText();
        String download = vc.call("POST", "/api/content/library/item/download-session", "{\"library_item_id\":\"" + item + "\"}").asText();
        List<String> pairs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        vc.call("GET", "/api/content/library/item/" + item + "/file", null).forEach(file -> names.add(file.path("name").asText()));
        names.sort((x, y) -> Boolean.compare(!x.endsWith(".ovf"), !y.endsWith(".ovf")));
        String files = "/api/content/library/item/download-session/" + download + "/file";
        for (String name : names) {
            JsonNode info = vc.call("POST", files + "?action=prepare", "{\"file_name\":\"" + name + "\",\"endpoint_type\":\"HTTPS\"}");
            while (!info.path("status").asText().equals("PREPARED")) {
                Thread.sleep(5);
                info = vc.call("POST", files + "?action=get", "{\"file_name\":\"" + name + "\"}");
            }
            pairs.add(name + "=" + info.path("download_endpoint").path("uri").asText());
        }
        return pairs;
    }

    private interface Vc {
        JsonNode call(String method, String path, String body) throws Exception;
    }

    /**
     * (b), in its own JVM: each file downloaded from its URL into one local tar (the OVA, as ovftool writes it), then the
     * file uploaded in 8 MiB parts on 10 threads, as {@code aws s3 cp} does by default.
     */
    private static void twoStep(String[] args) throws Exception {
        Path ova = Path.of(args[1]);
        SSLContext trust = trusting(Path.of(args[2]));
        HttpClient http = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        long t0 = System.nanoTime();
        try (OutputStream out = Files.newOutputStream(ova)) {
            for (int i = 8; i < args.length; i++) {
                int eq = args[i].indexOf('=');
                String name = args[i].substring(0, eq);
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(args[i].substring(eq + 1))).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                long size = response.headers().firstValueAsLong("Content-Length").orElseThrow();
                out.write(tarHeader(name, size));
                try (InputStream in = response.body()) {
                    if (in.transferTo(out) != size) {
                        throw new IOException(name + " came short");
                    }
                }
                out.write(new byte[(int) ((512 - size % 512) % 512)]);
            }
            out.write(new byte[1024]);
        }
        long t1 = System.nanoTime();
        String bucket = args[6];
        String key = args[7];
        long part = 8 * MIB;
        long size = Files.size(ova);
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(args[3])).region(Region.US_WEST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(args[4], args[5]))).build()) {
            String upload = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<CompletedPart>> parts = new ArrayList<>();
            for (int n = 1; (long) (n - 1) * part < size; n++) {
                int number = n;
                long offset = (n - 1) * part;
                int length = (int) Math.min(part, size - offset);
                parts.add(pool.submit(() -> {
                    byte[] bytes = new byte[length];
                    try (RandomAccessFile file = new RandomAccessFile(ova.toFile(), "r")) {
                        file.seek(offset);
                        file.readFully(bytes);
                    }
                    String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(upload).partNumber(number).contentLength((long) length),
                            RequestBody.fromBytes(bytes)).eTag();
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                }));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(f.get());
            }
            pool.shutdown();
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(upload).multipartUpload(m -> m.parts(done)));
        }
        long t2 = System.nanoTime();
        System.out.printf("download %.1f s, upload %.1f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    private static byte[] tarHeader(String name, long size) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", size));
        put(header, 136, String.format("%011o", 0));
        header[156] = '0';
        put(header, 257, "ustar");
        header[263] = '0';
        header[264] = '0';
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        return header;
    }

    private static void put(byte[] header, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, at, bytes.length);
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

    /** Wall seconds, CPU seconds and peak RSS (MiB) of one command, from /usr/bin/time. */
    private static double[] timed(Path dir, Sandbox sandbox, List<String> command) throws Exception {
        Path times = dir.resolve("time.txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S %M"));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("AWS_PROFILE");
        environment.putAll(sandbox.environment());
        environment.put(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString());
        environment.put("FERRY_POLL_INTERVAL", "100ms");
        environment.put("NO_COLOR", "1");
        int exit = builder.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(command.indexOf("-cp") + 2, command.size())) + " exited " + exit + ":\n"
                    + Files.readString(dir.resolve("out.log")) + Files.readString(dir.resolve("err.log")));
        }
        String[] f = Files.readString(times).strip().lines().reduce((x, y) -> y).orElseThrow().split(" ");
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
            Double.parseDouble(f[3]) / 1024};
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".log")
                    && !p.getFileName().toString().equals("time.txt")).mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    }).sum();
        }
    }

    private static long stateBytes(Path dir) throws IOException {
        Path state = dir.resolve(".ferry");
        return Files.exists(state) ? bytesUnder(state) : 0;
    }

    /** Bytes a file takes on disk (sparse holes not counted), from {@code stat}. */
    private static long allocated(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] f = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip().split(" ");
        stat.waitFor();
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }
}
