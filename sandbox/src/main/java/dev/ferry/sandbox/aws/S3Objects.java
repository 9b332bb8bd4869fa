package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.aws.S3BodyReceiver.Received;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.Blob;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.World;
import org.w3c.dom.Element;

import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.sandbox.aws.S3BodyReceiver.receive;
import static dev.ferry.sandbox.aws.S3Protocol.NAMESPACE;
import static dev.ferry.sandbox.aws.S3Protocol.baseHeaders;
import static dev.ferry.sandbox.aws.S3Protocol.bucket;
import static dev.ferry.sandbox.aws.S3Protocol.empty;
import static dev.ferry.sandbox.aws.S3Protocol.readDocument;
import static dev.ferry.sandbox.aws.S3Protocol.userMetadata;
import static dev.ferry.sandbox.aws.S3Protocol.xml;
import static java.util.Objects.requireNonNull;

/** S3 objects: put, get and head (with conditions and byte ranges), delete one or many. */
final class S3Objects {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final World world;

    S3Objects(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    void putObject(HttpCall call, String name, String key) throws IOException {
        if (key.length() > 1024) {
            throw new AwsException(400, "KeyTooLongError", "Your key is too long");
        }
        String ifNoneMatch = call.header("If-None-Match");
        String ifMatch = call.header("If-Match");
        if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
            throw new AwsException(501, "NotImplemented", "A header you provided implies functionality that is not "
                    + "implemented (If-None-Match on PutObject takes only *)");
        }
        // The conditions are checked when the request arrives (412 when they do not hold) and again when the
        // upload completes: a write that landed meanwhile makes this one a conflict (409), as S3 documents.
        S3Object before = world.read(w -> {
            bucket(w, call, name, true);
            S3Object current = w.s3().objects(name).get(key);
            checkWriteConditions(current, ifNoneMatch, ifMatch);
            return current;
        });
        Received received = receive(world, call);
        String contentType = call.header("Content-Type") == null ? "binary/octet-stream" : call.header("Content-Type");
        S3Object object = new S3Object(name, key, received.size(), "\"" + received.md5Hex() + "\"", world.now(),
                contentType, userMetadata(call), received.checksums(), Blob.ofFile(received.file()));
        try {
            world.writeAndForget(w -> {
                bucket(w, call, name, true);
                if (ifNoneMatch != null || ifMatch != null) {
                    S3Object current = w.s3().objects(name).get(key);
                    if (current != before) {
                        throw new AwsException(409, "ConditionalRequestConflict", "A conflicting operation "
                                + "occurred. If using PutObject you can retry the request. If using multipart upload "
                                + "you should initiate another CreateMultipartUpload request and re-upload each "
                                + "part.");
                    }
                }
                w.s3().putObject(new S3Object(name, key, object.size(), object.etag(), w.now(), object.contentType(),
                        object.metadata(), object.checksums(), object.blob()));
            });
        } catch (RuntimeException e) {
            world.blobs().discard(received.file());
            throw e;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ETag", object.etag());
        headers.put("x-amz-server-side-encryption", "AES256");
        received.checksums().forEach((a, v) -> headers.put("x-amz-checksum-" + a, v));
        if (!received.checksums().isEmpty()) {
            headers.put("x-amz-checksum-type", "FULL_OBJECT");
        }
        empty(call, 200, headers);
    }

    /** S3's conditional writes: {@code If-None-Match: *} (only when absent), {@code If-Match: ETAG}. */
    static void checkWriteConditions(S3Object current, String ifNoneMatch, String ifMatch) {
        if (ifNoneMatch != null && current != null) {
            throw new S3Protocol.PreconditionFailed("If-None-Match");
        }
        if (ifMatch != null) {
            if (current == null) {
                throw new AwsException(404, "NoSuchKey", "The specified key does not exist.");
            }
            String wanted = ifMatch.trim();
            if (!wanted.equals("*") && !wanted.equals(current.etag())
                    && !wanted.equals(current.etag().replace("\"", ""))) {
                throw new S3Protocol.PreconditionFailed("If-Match");
            }
        }
    }

    void getObject(HttpCall call, String name, String key, boolean head) throws IOException {
        S3Object object = world.read(w -> {
            bucket(w, call, name, true);
            S3Object found = w.s3().objects(name).get(key);
            if (found == null) {
                throw new AwsException(404, "NoSuchKey", "The specified key does not exist.");
            }
            // Keep the bytes while they are being sent, even if the object is replaced meanwhile.
            w.blobs().retain(found.blob());
            return found;
        });
        try {
            serveObject(call, object, head);
        } finally {
            world.read(w -> {
                w.blobs().release(object.blob());
                return null;
            });
        }
    }

    void serveObject(HttpCall call, S3Object object, boolean head) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        headers.put("ETag", object.etag());
        headers.put("Last-Modified", HTTP_DATE.format(object.lastModified()));
        headers.put("Accept-Ranges", "bytes");
        headers.put("Content-Type", object.contentType() == null ? "binary/octet-stream" : object.contentType());
        headers.put("x-amz-server-side-encryption", "AES256");
        object.metadata().forEach((k, v) -> headers.put("x-amz-meta-" + k, v));
        String ifMatch = call.header("If-Match");
        if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(object.etag())
                && !ifMatch.equals(object.etag().replace("\"", ""))) {
            throw new AwsException(412, "PreconditionFailed", "At least one of the pre-conditions you specified did "
                    + "not hold");
        }
        String ifNoneMatch = call.header("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.equals(object.etag()) || ifNoneMatch.equals("*"))) {
            call.respondEmpty(304, headers);
            return;
        }
        long size = object.size();
        String range = call.header("Range");
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    long suffix = Long.parseLong(m.group(2));
                    start = Math.max(0, size - suffix);
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                }
                if (start >= size || start > end) {
                    headers.put("Content-Range", "bytes */" + size);
                    throw new AwsException(416, "InvalidRange", "The requested range is not satisfiable");
                }
                partial = true;
            }
        }
        if (!partial && "ENABLED".equalsIgnoreCase(call.header("x-amz-checksum-mode"))) {
            object.checksums().forEach((a, v) -> headers.put("x-amz-checksum-" + a, v));
            if (!object.checksums().isEmpty()) {
                headers.put("x-amz-checksum-type", object.checksums().values().iterator().next().contains("-")
                        ? "COMPOSITE" : "FULL_OBJECT");
            }
        }
        long length = end - start + 1;
        int status = partial ? 206 : 200;
        if (partial) {
            headers.put("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        if (head) {
            call.respondHead(status, length, headers);
            return;
        }
        String contentType = headers.remove("Content-Type");
        try (InputStream in = object.blob().slice(start, length).open()) {
            call.respondStream(status, contentType, length, in, headers);
        }
    }

    void deleteObject(HttpCall call, String name, String key) throws IOException {
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            w.s3().deleteObject(name, key);
        });
        empty(call, 204, Map.of());
    }

    void deleteObjects(HttpCall call, String name) throws IOException {
        byte[] body = readDocument(call);
        Element root = XmlReader.parse(body);
        boolean quiet = "true".equals(XmlReader.text(root, "Quiet"));
        List<String> keys = XmlReader.children(root, "Object").stream().map(o -> XmlReader.text(o, "Key")).toList();
        if (keys.size() > 1000) {
            throw new AwsException(400, "MalformedXML", "The XML you provided was not well-formed or did not "
                    + "validate against our published schema");
        }
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            keys.forEach(k -> w.s3().deleteObject(name, k));
        });
        XmlWriter x = new XmlWriter().start("DeleteResult", NAMESPACE);
        if (!quiet) {
            keys.forEach(k -> x.start("Deleted").leaf("Key", k).end());
        }
        xml(call, 200, x.end().toString(), Map.of());
    }
}
