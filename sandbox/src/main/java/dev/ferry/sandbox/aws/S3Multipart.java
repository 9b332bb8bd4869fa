package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.aws.S3BodyReceiver.Received;
import dev.ferry.sandbox.http.ChecksumAlgorithm;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.Blob;
import dev.ferry.sandbox.world.MultipartUpload;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.UploadedPart;
import dev.ferry.sandbox.world.World;
import org.w3c.dom.Element;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static dev.ferry.sandbox.aws.S3BodyReceiver.receive;
import static dev.ferry.sandbox.aws.S3Protocol.NAMESPACE;
import static dev.ferry.sandbox.aws.S3Protocol.bucket;
import static dev.ferry.sandbox.aws.S3Protocol.empty;
import static dev.ferry.sandbox.aws.S3Protocol.md5;
import static dev.ferry.sandbox.aws.S3Protocol.owner;
import static dev.ferry.sandbox.aws.S3Protocol.readDocument;
import static dev.ferry.sandbox.aws.S3Protocol.userMetadata;
import static dev.ferry.sandbox.aws.S3Protocol.xml;
import static java.util.Objects.requireNonNull;

/** S3 multipart uploads: create, upload parts, list parts and uploads, complete with combined checksums, abort. */
final class S3Multipart {

    private static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    private final World world;

    S3Multipart(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    void createUpload(HttpCall call, String name, String key) throws IOException {
        String algorithm = call.header("x-amz-checksum-algorithm");
        if (algorithm != null && ChecksumAlgorithm.fromId(algorithm).isEmpty()) {
            throw new AwsException(400, "InvalidRequest", "Checksum algorithm " + algorithm + " is not supported");
        }
        String type = call.header("x-amz-checksum-type");
        if (type != null && !type.equals("COMPOSITE") && !type.equals("FULL_OBJECT")) {
            throw new AwsException(400, "InvalidRequest", "Invalid x-amz-checksum-type " + type);
        }
        String contentType = call.header("Content-Type") == null ? "binary/octet-stream" : call.header("Content-Type");
        Map<String, String> metadata = userMetadata(call);
        MultipartUpload upload = world.write(w -> {
            bucket(w, call, name, true);
            String id = w.ids().hex(32) + w.ids().hex(32);
            MultipartUpload created = new MultipartUpload(id, name, key, w.now(), contentType, metadata,
                    algorithm == null ? null : algorithm.toLowerCase(Locale.ROOT),
                    algorithm == null ? null : (type == null ? "COMPOSITE" : type), new TreeMap<>());
            w.s3().putUpload(created);
            return created;
        });
        Map<String, String> headers = new LinkedHashMap<>();
        if (upload.checksumAlgorithm() != null) {
            headers.put("x-amz-checksum-algorithm", upload.checksumAlgorithm().toUpperCase(Locale.ROOT));
            headers.put("x-amz-checksum-type", upload.checksumType());
        }
        xml(call, 200, new XmlWriter().start("InitiateMultipartUploadResult", NAMESPACE).leaf("Bucket", name)
                .leaf("Key", key).leaf("UploadId", upload.uploadId()).end().toString(), headers);
    }

    private static MultipartUpload upload(World w, String uploadId, String name, String key) {
        MultipartUpload upload = w.s3().uploads().get(uploadId);
        if (upload == null || !upload.bucket().equals(name) || !upload.key().equals(key)) {
            throw new AwsException(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be "
                    + "invalid, or the upload may have been aborted or completed.");
        }
        return upload;
    }

    void uploadPart(HttpCall call, String name, String key) throws IOException {
        String uploadId = call.queryParameter("uploadId");
        int partNumber;
        try {
            partNumber = Integer.parseInt(call.queryParameter("partNumber"));
        } catch (NumberFormatException | NullPointerException e) {
            partNumber = -1;
        }
        if (partNumber < 1 || partNumber > 10000) {
            throw new AwsException(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, "
                    + "inclusive");
        }
        MultipartUpload declared = world.read(w -> {
            bucket(w, call, name, true);
            return upload(w, uploadId, name, key);
        });
        Received received = receive(world, call);
        String expected = declared.checksumAlgorithm();
        if (expected != null && !received.checksums().isEmpty() && !received.checksums().containsKey(expected)) {
            // as S3 does: every part of an upload carries the checksum its CreateMultipartUpload declared
            world.blobs().discard(received.file());
            throw new AwsException(400, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: " + expected
                    + ", actual checksum Type: " + received.checksums().keySet().iterator().next());
        }
        int number = partNumber;
        UploadedPart part = new UploadedPart(number, received.size(), "\"" + received.md5Hex() + "\"", world.now(),
                received.checksums(), Blob.ofFile(received.file()));
        try {
            world.writeAndForget(w -> {
                MultipartUpload upload = upload(w, uploadId, name, key);
                w.s3().putUpload(upload.withPart(part));
            });
        } catch (RuntimeException e) {
            world.blobs().discard(received.file());
            throw e;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ETag", part.etag());
        headers.put("x-amz-server-side-encryption", "AES256");
        received.checksums().forEach((a, v) -> headers.put("x-amz-checksum-" + a, v));
        empty(call, 200, headers);
    }

    void listParts(HttpCall call, String name, String key) throws IOException {
        String uploadId = call.queryParameter("uploadId");
        int maxParts = call.queryParameter("max-parts") == null ? 1000
                : Math.min(1000, Integer.parseInt(call.queryParameter("max-parts")));
        int marker = call.queryParameter("part-number-marker") == null ? 0
                : Integer.parseInt(call.queryParameter("part-number-marker"));
        String xml = world.read(w -> {
            bucket(w, call, name, true);
            MultipartUpload upload = upload(w, uploadId, name, key);
            List<UploadedPart> parts = upload.parts().tailMap(marker + 1).values().stream().toList();
            boolean truncated = parts.size() > maxParts;
            List<UploadedPart> page = truncated ? parts.subList(0, maxParts) : parts;
            XmlWriter x = new XmlWriter().start("ListPartsResult", NAMESPACE).leaf("Bucket", name).leaf("Key", key)
                    .leaf("UploadId", uploadId).leaf("PartNumberMarker", marker)
                    .leaf("NextPartNumberMarker", page.isEmpty() ? marker : page.get(page.size() - 1).partNumber())
                    .leaf("MaxParts", maxParts).leaf("IsTruncated", truncated);
            for (UploadedPart p : page) {
                x.start("Part").leaf("PartNumber", p.partNumber()).leaf("LastModified", p.lastModified())
                        .leaf("ETag", p.etag()).leaf("Size", p.size());
                p.checksums().forEach((a, v) -> x.leaf(ChecksumAlgorithm.fromId(a).orElseThrow().xmlElement(), v));
                x.end();
            }
            owner(x, "Initiator", w);
            owner(x, "Owner", w);
            x.leaf("StorageClass", "STANDARD");
            if (upload.checksumAlgorithm() != null) {
                x.leaf("ChecksumAlgorithm", upload.checksumAlgorithm().toUpperCase(Locale.ROOT))
                        .leaf("ChecksumType", upload.checksumType());
            }
            return x.end().toString();
        });
        xml(call, 200, xml, Map.of());
    }

    private record RequestedPart(int number, String etag, Map<String, String> checksums) {
    }

    void completeUpload(HttpCall call, String name, String key) throws IOException {
        String uploadId = call.queryParameter("uploadId");
        byte[] body = readDocument(call);
        Element root = XmlReader.parse(body);
        List<RequestedPart> requested = new ArrayList<>();
        for (Element part : XmlReader.children(root, "Part")) {
            String number = XmlReader.text(part, "PartNumber");
            String etag = XmlReader.text(part, "ETag");
            if (number == null || etag == null) {
                throw new AwsException(400, "MalformedXML", "The XML you provided was not well-formed or did not "
                        + "validate against our published schema");
            }
            Map<String, String> checksums = new TreeMap<>();
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                String value = XmlReader.text(part, a.xmlElement());
                if (value != null) {
                    checksums.put(a.id(), value);
                }
            }
            requested.add(new RequestedPart(Integer.parseInt(number), etag.startsWith("\"") ? etag
                    : "\"" + etag + "\"", checksums));
        }
        if (requested.isEmpty()) {
            throw new AwsException(400, "MalformedXML", "The XML you provided was not well-formed or did not "
                    + "validate against our published schema");
        }
        for (int i = 1; i < requested.size(); i++) {
            if (requested.get(i).number() <= requested.get(i - 1).number()) {
                throw new AwsException(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts "
                        + "must be ordered by part number.");
            }
        }
        // Check the parts and work out the combined checksum before taking the lock for the change.
        MultipartUpload upload = world.read(w -> {
            bucket(w, call, name, true);
            return upload(w, uploadId, name, key);
        });
        List<UploadedPart> parts = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            RequestedPart wanted = requested.get(i);
            UploadedPart part = upload.parts().get(wanted.number());
            if (part == null || !part.etag().equals(wanted.etag())) {
                throw new AwsException(400, "InvalidPart", "One or more of the specified parts could not be found. "
                        + "The part may not have been uploaded, or the specified entity tag may not match the part's "
                        + "entity tag.");
            }
            for (Map.Entry<String, String> checksum : wanted.checksums().entrySet()) {
                String stored = part.checksums().get(checksum.getKey());
                if (stored != null && !stored.equals(checksum.getValue())) {
                    throw new AwsException(400, "InvalidPart", "The checksum of part " + wanted.number()
                            + " does not match the uploaded part");
                }
            }
            if (i < requested.size() - 1 && part.size() < MIN_PART_SIZE) {
                throw new AwsException(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum "
                        + "allowed object size.");
            }
            parts.add(part);
        }
        MessageDigest md5 = md5();
        for (UploadedPart part : parts) {
            md5.update(HexFormat.of().parseHex(part.etag().replace("\"", "").split("-")[0]));
        }
        String etag = "\"" + HexFormat.of().formatHex(md5.digest()) + "-" + parts.size() + "\"";
        Blob blob = Blob.concat(parts.stream().map(UploadedPart::blob).toList());
        Map<String, String> checksums = combinedChecksums(upload, parts, blob);
        long size = blob.size();
        world.writeAndForget(w -> {
            MultipartUpload current = upload(w, uploadId, name, key);
            bucket(w, call, name, true);
            w.s3().putObject(new S3Object(name, key, size, etag, w.now(), current.contentType(), current.metadata(),
                    checksums, blob));
            w.s3().removeUpload(uploadId);
        });
        XmlWriter x = new XmlWriter().start("CompleteMultipartUploadResult", NAMESPACE)
                .leaf("Location", "http://" + call.header("Host") + "/" + name + "/" + key)
                .leaf("Bucket", name).leaf("Key", key).leaf("ETag", etag);
        checksums.forEach((a, v) -> x.leaf(ChecksumAlgorithm.fromId(a).orElseThrow().xmlElement(), v));
        if (!checksums.isEmpty()) {
            x.leaf("ChecksumType", checksums.values().iterator().next().contains("-") ? "COMPOSITE" : "FULL_OBJECT");
        }
        xml(call, 200, x.end().toString(), Map.of("x-amz-server-side-encryption", "AES256"));
    }

    /**
     * The object's checksum: a full-object one when the upload asked for it (computed over the data), else a
     * composite one (the checksum of the parts' checksums, with the part count) when every part has one.
     */
    private static Map<String, String> combinedChecksums(MultipartUpload upload, List<UploadedPart> parts, Blob blob)
            throws IOException {
        String algorithmId = upload.checksumAlgorithm();
        if (algorithmId == null) {
            if (parts.isEmpty() || parts.get(0).checksums().isEmpty()) {
                return Map.of();
            }
            algorithmId = parts.get(0).checksums().keySet().iterator().next();
        }
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromId(algorithmId).orElseThrow();
        String id = algorithmId;
        if ("FULL_OBJECT".equals(upload.checksumType())) {
            ChecksumAlgorithm.Running running = algorithm.start();
            try (InputStream in = blob.open()) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    running.update(buffer, 0, n);
                }
            }
            return Map.of(id, running.base64());
        }
        if (parts.stream().anyMatch(p -> !p.checksums().containsKey(id))) {
            return Map.of();
        }
        ChecksumAlgorithm.Running running = algorithm.start();
        for (UploadedPart part : parts) {
            byte[] raw = Base64.getDecoder().decode(part.checksums().get(id));
            running.update(raw, 0, raw.length);
        }
        return Map.of(id, running.base64() + "-" + parts.size());
    }

    void abortUpload(HttpCall call, String name, String key) throws IOException {
        String uploadId = call.queryParameter("uploadId");
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            upload(w, uploadId, name, key);
            w.s3().removeUpload(uploadId);
        });
        empty(call, 204, Map.of());
    }

    void listUploads(HttpCall call, String name) throws IOException {
        String prefix = call.queryParameter("prefix") == null ? "" : call.queryParameter("prefix");
        String xml = world.read(w -> {
            bucket(w, call, name, true);
            XmlWriter x = new XmlWriter().start("ListMultipartUploadsResult", NAMESPACE)
                    .leaf("Bucket", name).leaf("KeyMarker", "").leaf("UploadIdMarker", "")
                    .leaf("Prefix", prefix).leaf("MaxUploads", 1000).leaf("IsTruncated", false);
            w.s3().uploads().values().stream().filter(u -> u.bucket().equals(name) && u.key().startsWith(prefix))
                    .sorted((a, b) -> a.key().equals(b.key()) ? a.initiated().compareTo(b.initiated())
                            : a.key().compareTo(b.key()))
                    .forEach(u -> {
                        x.start("Upload").leaf("Key", u.key()).leaf("UploadId", u.uploadId());
                        owner(x, "Initiator", w);
                        owner(x, "Owner", w);
                        x.leaf("StorageClass", "STANDARD").leaf("Initiated", u.initiated());
                        if (u.checksumAlgorithm() != null) {
                            x.leaf("ChecksumAlgorithm", u.checksumAlgorithm().toUpperCase(Locale.ROOT));
                        }
                        x.end();
                    });
            return x.end().toString();
        });
        xml(call, 200, xml, Map.of());
    }
}
