package dev.ferry.sandbox;

import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * Hand-made requests signed by the AWS SDK's own SigV4 signer, for what the service clients will not send
 * (a malformed bucket name, a body that stalls): S3-style, the payload unsigned.
 */
public final class SignedRequests {

    private SignedRequests() {
    }

    /** A request builder for {@code method path} with {@code headers}, signed for S3 in the sandbox's region. */
    public static HttpRequest.Builder s3(Sandbox sandbox, String method, String path, Map<String, String> headers) {
        return s3(sandbox, sandbox.secretAccessKey(), sandbox.region(), method, path, headers);
    }

    public static HttpRequest.Builder s3(Sandbox sandbox, String secret, String region, String method, String path,
                                         Map<String, String> headers) {
        URI uri = URI.create(sandbox.endpoint() + path);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        headers.forEach(request::putHeader);
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(sandbox.accessKeyId(), secret))
                .request(request.build())
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        HttpRequest.Builder out = HttpRequest.newBuilder(uri);
        for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase("Host")) {
                continue; // the client sends the same host:port itself
            }
            header.getValue().forEach(value -> out.header(header.getKey(), value));
        }
        return out;
    }
}
