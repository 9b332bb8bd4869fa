package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Opens disk images of kind {@code s3} (an exported object: {@code location} holds bucket, key, and the
 * ETag it had when it was written) as ranged, restartable byte sources over GetObject with a Range. Every
 * range is read with {@code If-Match} on the ETag, so an object replaced while the transfer runs is
 * detected instead of stitched together from two versions.
 */
public final class S3ArtifactOpener implements ArtifactOpener {

    private final AwsClients clients;
    private final AwsCalls calls;

    public S3ArtifactOpener(AwsClients clients, AwsCalls calls) {
        this.clients = requireNonNull(clients, "clients is null");
        this.calls = requireNonNull(calls, "calls is null");
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public RangedByteSource open(DiskImage image) {
        JsonNode location = image.location();
        String bucket = location.path("bucket").asText("");
        String key = location.path("key").asText("");
        if (bucket.isEmpty() || key.isEmpty()) {
            throw new FerryException("the disk image " + image.description() + " names no S3 bucket and key");
        }
        String region = location.path("region").asText(clients.regionName());
        if (!region.equals(clients.regionName())) {
            throw new FerryException("the disk image s3://" + bucket + "/" + key + " is in " + region + ", but the AWS provider is"
                    + " connected to " + clients.regionName());
        }
        HeadObjectResponse head = calls.call("S3 HeadObject s3://" + bucket + "/" + key, () -> clients.s3().headObject(r -> r.bucket(bucket).key(key)));
        Optional<String> expected = Optional.ofNullable(location.get("etag")).map(JsonNode::asText).filter(e -> !e.isEmpty());
        if (expected.isPresent() && head.eTag() != null && !unquoted(expected.get()).equals(unquoted(head.eTag()))) {
            throw new FerryException("s3://" + bucket + "/" + key + " changed since ferry exported it (its ETag is " + head.eTag()
                    + ", not " + expected.get() + "); run plan again to export the image anew");
        }
        return new Source(clients.s3(), bucket, key, head.contentLength(), head.eTag());
    }

    private static String unquoted(String etag) {
        return etag.replace("\"", "");
    }

    /** One S3 object at one version (its ETag), read by ranges. */
    static final class Source implements RangedByteSource {
        private final S3Client s3;
        private final String bucket;
        private final String key;
        private final long size;
        private final String etag;

        Source(S3Client s3, String bucket, String key, long size, String etag) {
            this.s3 = s3;
            this.bucket = bucket;
            this.key = key;
            this.size = size;
            this.etag = etag;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream openRange(long offset, long length) throws IOException {
            if (offset < 0 || length < 0 || offset + length > size) {
                throw new IllegalArgumentException("range " + offset + "+" + length + " is outside 0.." + size);
            }
            if (length == 0) {
                return new ByteArrayInputStream(new byte[0]);
            }
            String range = "bytes=" + offset + "-" + (offset + length - 1);
            try {
                return s3.getObject(r -> {
                    r.bucket(bucket).key(key).range(range);
                    if (etag != null) {
                        r.ifMatch(etag);
                    }
                });
            } catch (AwsServiceException e) {
                if (e.statusCode() == 412) {
                    throw new IOException(description() + " was replaced while ferry read it (its ETag is no longer " + etag + ")", e);
                }
                throw new IOException("reading " + range + " of " + description() + " failed: "
                        + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()), e);
            } catch (SdkException e) {
                throw new IOException("reading " + range + " of " + description() + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public String description() {
            return "s3://" + bucket + "/" + key;
        }

        @Override
        public String toString() {
            return description() + " (" + size + " bytes)";
        }
    }
}
