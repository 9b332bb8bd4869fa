package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;

import static dev.ferry.sandbox.aws.S3Protocol.NAMESPACE;
import static dev.ferry.sandbox.aws.S3Protocol.bucket;
import static dev.ferry.sandbox.aws.S3Protocol.xml;
import static java.util.Objects.requireNonNull;

/** S3 ListObjects and ListObjectsV2: keys by prefix and delimiter, a page at a time. */
final class S3Listing {

    private final World world;

    S3Listing(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    void listObjects(HttpCall call, String name, boolean v2) throws IOException {
        String prefix = call.queryParameter("prefix") == null ? "" : call.queryParameter("prefix");
        String delimiter = emptyToNull(call.queryParameter("delimiter"));
        int maxKeys = 1000;
        if (call.queryParameter("max-keys") != null) {
            try {
                maxKeys = Integer.parseInt(call.queryParameter("max-keys"));
            } catch (NumberFormatException e) {
                throw new AwsException(400, "InvalidArgument", "Provided max-keys not an integer or within "
                        + "integer range");
            }
            if (maxKeys < 0) {
                throw new AwsException(400, "InvalidArgument", "Argument maxKeys must be an integer between 0 and "
                        + "2147483647");
            }
            maxKeys = Math.min(maxKeys, 1000);
        }
        boolean urlEncoding = "url".equals(call.queryParameter("encoding-type"));
        String continuation = emptyToNull(call.queryParameter("continuation-token"));
        String startAfter = emptyToNull(v2 ? call.queryParameter("start-after") : call.queryParameter("marker"));
        String after = startAfter;
        if (continuation != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(continuation), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new AwsException(400, "InvalidArgument", "The continuation token provided is incorrect");
            }
        }
        String from = after;
        int limit = maxKeys;
        String xml = world.read(w -> {
            bucket(w, call, name, true);
            NavigableMap<String, S3Object> objects = from == null ? w.s3().objects(name) : w.s3().objects(name).tailMap(from,
                    false);
            List<S3Object> contents = new ArrayList<>();
            TreeSet<String> prefixes = new TreeSet<>();
            String lastReturned = null;
            boolean truncated = false;
            for (S3Object object : objects.values()) {
                if (!object.key().startsWith(prefix)) {
                    if (object.key().compareTo(prefix) > 0) {
                        break;
                    }
                    continue;
                }
                String common = null;
                if (delimiter != null) {
                    int at = object.key().indexOf(delimiter, prefix.length());
                    if (at >= 0) {
                        common = object.key().substring(0, at + delimiter.length());
                    }
                }
                if (common != null && prefixes.contains(common)) {
                    lastReturned = object.key();
                    continue;
                }
                if (contents.size() + prefixes.size() >= limit) {
                    truncated = true;
                    break;
                }
                if (common != null) {
                    prefixes.add(common);
                } else {
                    contents.add(object);
                }
                lastReturned = object.key();
            }
            XmlWriter x = new XmlWriter().start("ListBucketResult", NAMESPACE)
                    .leaf("Name", name)
                    .leaf("Prefix", encode(prefix, urlEncoding));
            if (v2) {
                x.leaf("KeyCount", contents.size() + prefixes.size());
            } else {
                x.leaf("Marker", encode(startAfter == null ? "" : startAfter, urlEncoding));
            }
            x.leaf("MaxKeys", limit)
                    .leaf("Delimiter", delimiter == null ? null : encode(delimiter, urlEncoding))
                    .leaf("IsTruncated", truncated);
            if (urlEncoding) {
                x.leaf("EncodingType", "url");
            }
            for (S3Object o : contents) {
                x.start("Contents").leaf("Key", encode(o.key(), urlEncoding)).leaf("LastModified", o.lastModified())
                        .leaf("ETag", o.etag());
                o.checksums().keySet().forEach(a -> x.leaf("ChecksumAlgorithm", a.toUpperCase(Locale.ROOT)));
                x.leaf("Size", o.size()).leaf("StorageClass", "STANDARD").end();
            }
            for (String common : prefixes) {
                x.start("CommonPrefixes").leaf("Prefix", encode(common, urlEncoding)).end();
            }
            if (v2) {
                x.leaf("ContinuationToken", continuation);
                if (truncated) {
                    x.leaf("NextContinuationToken", Base64.getUrlEncoder().withoutPadding()
                            .encodeToString(lastReturned.getBytes(StandardCharsets.UTF_8)));
                }
                x.leaf("StartAfter", startAfter == null ? null : encode(startAfter, urlEncoding));
            } else if (truncated && delimiter != null) {
                x.leaf("NextMarker", encode(lastReturned, urlEncoding));
            }
            return x.end().toString();
        });
        xml(call, 200, xml, Map.of());
    }

    private static String encode(String value, boolean url) {
        if (!url || value == null) {
            return value;
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
