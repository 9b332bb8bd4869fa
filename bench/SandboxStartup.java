import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * One measurement, in a fresh JVM: time from Sandbox.start (default world) to a running server, and to the
 * first answered EC2 and Linode requests. Prints one line of figures in milliseconds.
 */
public class SandboxStartup {
    public static void main(String[] args) throws Exception {
        // The client is made (and its TLS defaults loaded) first: only the sandbox's time is measured.
        HttpClient http = HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.defaults())) {
            long started = System.nanoTime();
            HttpResponse<String> ec2 = http.send(HttpRequest.newBuilder(sandbox.endpoint())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + sandbox.accessKeyId()
                            + "/20250101/" + sandbox.region() + "/ec2/aws4_request, SignedHeaders=host, Signature=0")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeInstances&Version=2016-11-15")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long firstEc2 = System.nanoTime();
            HttpResponse<String> linode = http.send(HttpRequest.newBuilder(URI.create(sandbox.linodeApiUrl()
                    + "/linode/types")).header("Authorization", "Bearer " + sandbox.linodeToken()).build(),
                    HttpResponse.BodyHandlers.ofString());
            long firstLinode = System.nanoTime();
            if (ec2.statusCode() != 200 || linode.statusCode() != 200) {
                throw new IllegalStateException("unexpected answers " + ec2.statusCode() + "/" + linode.statusCode());
            }
            System.out.printf("start=%.1f first_ec2=%.1f first_linode=%.1f%n", (started - t0) / 1e6,
                    (firstEc2 - t0) / 1e6, (firstLinode - t0) / 1e6);
        }
    }
}
