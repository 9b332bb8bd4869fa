package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.util.Optional;

/**
 * State kept by a provider rather than on the local disk: {@code s3://bucket/key} (from {@code --state}) or
 * {@code state: {s3: {bucket, key, region}}} in the file. The lock is the object {@code KEY.lock}.
 */
public record RemoteStateLocation(String scheme, String bucket, String key, Optional<String> region) {

    public RemoteStateLocation {
        requireNonNull(scheme, "scheme is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        region = region == null ? Optional.empty() : region;
    }

    /** Whether {@code text} (a {@code --state} value) names remote state rather than a file. */
    public static boolean isRemote(String text) {
        return text.startsWith("s3://");
    }

    /** {@code s3://bucket/key/with/slashes}. */
    public static RemoteStateLocation parse(String text) {
        String rest = text.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new FerryException("--state " + text + " does not name a bucket and a key; write it as s3://BUCKET/KEY,"
                    + " such as s3://team-ferry-state/web-tier/state.json");
        }
        return new RemoteStateLocation("s3", rest.substring(0, slash), rest.substring(slash + 1), Optional.empty());
    }

    public String uri() {
        return scheme + "://" + bucket + "/" + key;
    }

    public String lockKey() {
        return key + ".lock";
    }
}
