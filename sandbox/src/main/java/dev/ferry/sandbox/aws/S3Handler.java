package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.AwsChunkedInputStream;
import dev.ferry.sandbox.http.ChecksumAlgorithm;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.world.Blob;
import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.Grant;
import dev.ferry.sandbox.world.MultipartUpload;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.UploadedPart;
import dev.ferry.sandbox.world.World;
import org.w3c.dom.Element;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * S3's REST API, path-style ({@code /bucket/key}): buckets with policies, ACLs and ownership controls;
 * objects streamed to disk (aws-chunked bodies decoded and their trailing checksums verified); ranged
 * reads; multipart uploads.
 */
public final class S3Handler implements ServiceHandler {

    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    private static final int MAX_DOCUMENT = 1024 * 1024;
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Set<String> OWNERSHIPS = Set.of("BucketOwnerEnforced", "BucketOwnerPreferred",
            "ObjectWriter");
    private static final String XSI = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    private final World world;

    public S3Handler(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    /** Bucket and key of a path-style request; key null for bucket requests, bucket null for the service. */
    private record Target(String bucket, String key) {
    }

    private static Target target(HttpCall call) {
        String path = call.rawPath();
        if (path.equals("/") || path.isEmpty()) {
            return new Target(null, null);
        }
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return new Target(percentDecode(rest), null);
        }
        String key = percentDecode(rest.substring(slash + 1));
        return new Target(percentDecode(rest.substring(0, slash)), key.isEmpty() ? null : key);
    }

    /** Percent-decoding for paths, where {@code +} is a plus sign. */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String action(HttpCall call) {
        Target t = target(call);
        String method = call.method();
        if (t.bucket() == null) {
            return method.equals("GET") ? "ListBuckets" : method + " /";
        }
        if (t.key() == null) {
            return switch (method) {
                case "PUT" -> call.hasQueryParameter("policy") ? "PutBucketPolicy"
                        : call.hasQueryParameter("acl") ? "PutBucketAcl"
                        : call.hasQueryParameter("ownershipControls") ? "PutBucketOwnershipControls"
                        : "CreateBucket";
                case "HEAD" -> "HeadBucket";
                case "DELETE" -> call.hasQueryParameter("policy") ? "DeleteBucketPolicy" : "DeleteBucket";
                case "POST" -> call.hasQueryParameter("delete") ? "DeleteObjects" : "POST bucket";
                case "GET" -> call.hasQueryParameter("policy") ? "GetBucketPolicy"
                        : call.hasQueryParameter("acl") ? "GetBucketAcl"
                        : call.hasQueryParameter("location") ? "GetBucketLocation"
                        : call.hasQueryParameter("ownershipControls") ? "GetBucketOwnershipControls"
                        : call.hasQueryParameter("uploads") ? "ListMultipartUploads"
                        : "2".equals(call.queryParameter("list-type")) ? "ListObjectsV2"
                        : "ListObjects";
                default -> method + " bucket";
            };
        }
        return switch (method) {
            case "PUT" -> call.hasQueryParameter("uploadId") ? "UploadPart"
                    : call.header("x-amz-copy-source") != null ? "CopyObject" : "PutObject";
            case "GET" -> call.hasQueryParameter("uploadId") ? "ListParts" : "GetObject";
            case "HEAD" -> "HeadObject";
            case "DELETE" -> call.hasQueryParameter("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
            case "POST" -> call.hasQueryParameter("uploads") ? "CreateMultipartUpload"
                    : call.hasQueryParameter("uploadId") ? "CompleteMultipartUpload" : "POST object";
            default -> method + " object";
        };
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        Optional<SigV4Credential> credential = SigV4Credential.of(call);
        if (credential.isEmpty()) {
            error(call, new AwsException(403, "AccessDenied", "Access Denied"), null, null);
            return false;
        }
        if (!credential.get().accessKeyId().equals(world.accessKeyId())) {
            error(call, new AwsException(403, "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records."), null, null);
            return false;
        }
        return true;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        Target t = target(call);
        try {
            switch (call.action()) {
                case "ListBuckets" -> listBuckets(call);
                case "CreateBucket" -> createBucket(call, t.bucket());
                case "HeadBucket" -> headBucket(call, t.bucket());
                case "DeleteBucket" -> deleteBucket(call, t.bucket());
                case "PutBucketPolicy" -> putBucketPolicy(call, t.bucket());
                case "GetBucketPolicy" -> getBucketPolicy(call, t.bucket());
                case "DeleteBucketPolicy" -> deleteBucketPolicy(call, t.bucket());
                case "PutBucketAcl" -> putBucketAcl(call, t.bucket());
                case "GetBucketAcl" -> getBucketAcl(call, t.bucket());
                case "GetBucketLocation" -> getBucketLocation(call, t.bucket());
                case "GetBucketOwnershipControls" -> getOwnership(call, t.bucket());
                case "PutBucketOwnershipControls" -> putOwnership(call, t.bucket());
                case "ListObjectsV2", "ListObjects" -> listObjects(call, t.bucket(),
                        call.action().equals("ListObjectsV2"));
                case "ListMultipartUploads" -> listUploads(call, t.bucket());
                case "DeleteObjects" -> deleteObjects(call, t.bucket());
                case "PutObject" -> putObject(call, t.bucket(), t.key());
                case "GetObject" -> getObject(call, t.bucket(), t.key(), false);
                case "HeadObject" -> getObject(call, t.bucket(), t.key(), true);
                case "DeleteObject" -> deleteObject(call, t.bucket(), t.key());
                case "CreateMultipartUpload" -> createUpload(call, t.bucket(), t.key());
                case "UploadPart" -> uploadPart(call, t.bucket(), t.key());
                case "ListParts" -> listParts(call, t.bucket(), t.key());
                case "CompleteMultipartUpload" -> completeUpload(call, t.bucket(), t.key());
                case "AbortMultipartUpload" -> abortUpload(call, t.bucket(), t.key());
                default -> throw new AwsException(501, "NotImplemented",
                        "A header or query you provided implies functionality that is not implemented ("
                                + call.action() + ")");
            }
        } catch (AwsException e) {
            error(call, e, t.bucket(), t.key());
        }
    }

    // ---- answers ----

    private Map<String, String> baseHeaders(HttpCall call) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amz-request-id", call.requestId().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT));
        headers.put("x-amz-id-2", Base64.getEncoder().encodeToString(call.requestId().getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    private void xml(HttpCall call, int status, String xml, Map<String, String> extra) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        headers.putAll(extra);
        call.respond(status, "application/xml", xml, headers);
    }

    private void empty(HttpCall call, int status, Map<String, String> extra) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        headers.putAll(extra);
        call.respondEmpty(status, headers);
    }

    private void error(HttpCall call, AwsException e, String bucket, String key) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        if (e instanceof RegionMismatch mismatch) {
            headers.put("x-amz-bucket-region", mismatch.region);
        }
        if (call.method().equals("HEAD")) {
            call.respondHead(e.status(), -1, headers);
            return;
        }
        XmlWriter xml = new XmlWriter().start("Error").leaf("Code", e.code()).leaf("Message", e.getMessage());
        if (e instanceof RegionMismatch mismatch) {
            xml.leaf("Region", mismatch.region);
        }
        if (e.code().equals("NoSuchBucket") || e.code().equals("BucketNotEmpty")
                || e.code().equals("NoSuchBucketPolicy")) {
            xml.leaf("BucketName", bucket);
        }
        if (e.code().equals("NoSuchKey")) {
            xml.leaf("Key", key);
        }
        if (e.code().equals("SlowDown") || e.code().equals("ServiceUnavailable")) {
            headers.put("Retry-After", "1");
        }
        xml.leaf("RequestId", headers.get("x-amz-request-id")).leaf("HostId", headers.get("x-amz-id-2")).end();
        call.respond(e.status(), "application/xml", xml.toString(), headers);
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        AwsException e = switch (status) {
            case 429 -> new AwsException(503, "SlowDown", "Please reduce your request rate.");
            case 503 -> new AwsException(503, "ServiceUnavailable", "Please reduce your request rate.");
            default -> new AwsException(500, "InternalError", "We encountered an internal error. Please try again.");
        };
        error(call, e, null, null);
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        error(call, new AwsException(500, "InternalError", "We encountered an internal error. Please try again. "
                + "(sandbox: " + cause + ")"), null, null);
    }

    /** The request was signed for another region than the bucket's. */
    private static final class RegionMismatch extends AwsException {
        private final String region;

        RegionMismatch(String signed, String region) {
            super(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '" + signed
                    + "' is wrong; expecting '" + region + "'");
            this.region = region;
        }
    }

    // ---- buckets ----

    private Bucket bucket(World w, HttpCall call, String name, boolean checkRegion) {
        Bucket bucket = w.buckets().get(name);
        if (bucket == null) {
            throw new AwsException(404, "NoSuchBucket", "The specified bucket does not exist");
        }
        if (checkRegion) {
            String signed = SigV4Credential.of(call).map(SigV4Credential::region).orElse(bucket.region());
            if (!signed.equals(bucket.region())) {
                throw new RegionMismatch(signed, bucket.region());
            }
        }
        return bucket;
    }

    private void listBuckets(HttpCall call) throws IOException {
        String xml = world.read(w -> {
            XmlWriter x = new XmlWriter().start("ListAllMyBucketsResult", NAMESPACE)
                    .start("Owner").leaf("ID", w.canonicalUserId()).leaf("DisplayName", "sandbox").end()
                    .start("Buckets");
            for (Bucket b : w.buckets().values()) {
                x.start("Bucket").leaf("Name", b.name()).leaf("CreationDate", b.created())
                        .leaf("BucketRegion", b.region()).end();
            }
            return x.end().end().toString();
        });
        xml(call, 200, xml, Map.of());
    }

    private void createBucket(HttpCall call, String name) throws IOException {
        if (!BUCKET_NAME.matcher(name).matches() || name.contains("..") || name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            throw new AwsException(400, "InvalidBucketName", "The specified bucket is not valid.");
        }
        byte[] body = call.bodyBytes(MAX_DOCUMENT);
        String constraint = null;
        if (body.length > 0) {
            Element root = XmlReader.parse(body);
            constraint = XmlReader.text(root, "LocationConstraint");
        }
        String signed = SigV4Credential.of(call).map(SigV4Credential::region).orElse("us-east-1");
        if (constraint == null || constraint.isEmpty()) {
            if (!signed.equals("us-east-1")) {
                throw new AwsException(400, "IllegalLocationConstraintException", "The unspecified location "
                        + "constraint is incompatible for the region specific endpoint this request was sent to.");
            }
            constraint = "us-east-1";
        } else if (!signed.equals("us-east-1") && !signed.equals(constraint)) {
            throw new AwsException(400, "IllegalLocationConstraintException", "The " + constraint
                    + " location constraint is incompatible for the region specific endpoint this request was sent "
                    + "to.");
        }
        String ownership = call.header("x-amz-object-ownership") == null ? "BucketOwnerEnforced"
                : call.header("x-amz-object-ownership");
        if (!OWNERSHIPS.contains(ownership)) {
            throw new AwsException(400, "InvalidArgument", "Invalid x-amz-object-ownership header: " + ownership);
        }
        String canned = call.header("x-amz-acl");
        if (canned != null && ownership.equals("BucketOwnerEnforced") && !canned.equals("private")
                && !canned.equals("bucket-owner-full-control")) {
            throw new AwsException(400, "InvalidBucketAclWithObjectOwnership",
                    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
        }
        String region = constraint;
        world.writeAndForget(w -> {
            if (w.buckets().containsKey(name)) {
                throw new AwsException(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named "
                        + "bucket succeeded and you already own it.");
            }
            List<Grant> acl = ownerOnly(w);
            w.buckets().put(name, new Bucket(name, region, w.now(), ownership, null, acl));
        });
        empty(call, 200, Map.of("Location", "/" + name));
    }

    private static List<Grant> ownerOnly(World w) {
        return List.of(new Grant("CanonicalUser", w.canonicalUserId(), "sandbox", null, "FULL_CONTROL"));
    }

    private void headBucket(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, true));
        Map<String, String> headers = baseHeaders(call);
        headers.put("x-amz-bucket-region", bucket.region());
        headers.put("x-amz-access-point-alias", "false");
        call.respondHead(200, -1, headers);
    }

    private void deleteBucket(HttpCall call, String name) throws IOException {
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            if (!w.objects(name).isEmpty()) {
                throw new AwsException(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
            }
            w.deleteBucket(name);
        });
        empty(call, 204, Map.of());
    }

    private void putBucketPolicy(HttpCall call, String name) throws IOException {
        byte[] body = readDocument(call);
        String policy = new String(body, StandardCharsets.UTF_8);
        PolicyDocument.parse(policy, PolicyDocument.Kind.BUCKET, "MalformedPolicy", name);
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            w.buckets().put(name, bucket.withPolicy(policy));
        });
        empty(call, 204, Map.of());
    }

    private void getBucketPolicy(HttpCall call, String name) throws IOException {
        String policy = world.read(w -> {
            Bucket bucket = bucket(w, call, name, true);
            if (bucket.policy() == null) {
                throw new AwsException(404, "NoSuchBucketPolicy", "The bucket policy does not exist");
            }
            return bucket.policy();
        });
        Map<String, String> headers = baseHeaders(call);
        call.respond(200, "application/json", policy, headers);
    }

    private void deleteBucketPolicy(HttpCall call, String name) throws IOException {
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            w.buckets().put(name, bucket.withPolicy(null));
        });
        empty(call, 204, Map.of());
    }

    private void putBucketAcl(HttpCall call, String name) throws IOException {
        byte[] body = readDocument(call);
        List<Grant> grants = world.read(w -> grantsFrom(call, body, w));
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            boolean ownerOnly = grants.stream().allMatch(g -> w.canonicalUserId().equals(g.id())
                    && g.permission().equals("FULL_CONTROL"));
            if (bucket.aclsDisabled() && !ownerOnly) {
                throw new AwsException(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
            }
            w.buckets().put(name, bucket.withAcl(grants));
        });
        empty(call, 200, Map.of());
    }

    private static List<Grant> grantsFrom(HttpCall call, byte[] body, World w) {
        String canned = call.header("x-amz-acl");
        List<Grant> grants = new ArrayList<>();
        Map<String, String> grantHeaders = new LinkedHashMap<>();
        grantHeaders.put("x-amz-grant-full-control", "FULL_CONTROL");
        grantHeaders.put("x-amz-grant-read", "READ");
        grantHeaders.put("x-amz-grant-write", "WRITE");
        grantHeaders.put("x-amz-grant-read-acp", "READ_ACP");
        grantHeaders.put("x-amz-grant-write-acp", "WRITE_ACP");
        boolean anyGrantHeader = grantHeaders.keySet().stream().anyMatch(h -> call.header(h) != null);
        if (canned != null) {
            grants.addAll(ownerOnly(w));
            switch (canned) {
                case "private", "bucket-owner-full-control" -> { }
                case "public-read" -> grants.add(group("http://acs.amazonaws.com/groups/global/AllUsers", "READ"));
                case "public-read-write" -> {
                    grants.add(group("http://acs.amazonaws.com/groups/global/AllUsers", "READ"));
                    grants.add(group("http://acs.amazonaws.com/groups/global/AllUsers", "WRITE"));
                }
                case "authenticated-read" -> grants.add(group(
                        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ"));
                case "log-delivery-write" -> {
                    grants.add(group("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE"));
                    grants.add(group("http://acs.amazonaws.com/groups/s3/LogDelivery", "READ_ACP"));
                }
                default -> throw new AwsException(400, "InvalidArgument", "Invalid canned ACL: " + canned);
            }
            return grants;
        }
        if (anyGrantHeader) {
            for (Map.Entry<String, String> header : grantHeaders.entrySet()) {
                String value = call.header(header.getKey());
                if (value != null) {
                    for (String grantee : value.split(",")) {
                        grants.add(granteeFromHeader(grantee.trim(), header.getValue(), w));
                    }
                }
            }
            return grants;
        }
        if (body.length == 0) {
            throw new AwsException(400, "MissingSecurityHeader", "Your request was missing a required header: "
                    + "x-amz-acl or an AccessControlPolicy body");
        }
        Element policy = XmlReader.parse(body);
        Element list = XmlReader.child(policy, "AccessControlList");
        if (list == null) {
            throw new AwsException(400, "MalformedACLError", "The XML you provided was not well-formed or did not "
                    + "validate against our published schema");
        }
        for (Element grant : XmlReader.children(list, "Grant")) {
            Element grantee = XmlReader.child(grant, "Grantee");
            String permission = XmlReader.text(grant, "Permission");
            if (grantee == null || permission == null) {
                throw new AwsException(400, "MalformedACLError", "A Grant needs a Grantee and a Permission");
            }
            String type = grantee.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type");
            switch (type) {
                case "CanonicalUser" -> grants.add(canonical(XmlReader.text(grantee, "ID"), permission, w));
                case "AmazonCustomerByEmail" -> grants.add(byEmail(XmlReader.text(grantee, "EmailAddress"),
                        permission));
                case "Group" -> grants.add(group(XmlReader.text(grantee, "URI"), permission));
                default -> throw new AwsException(400, "MalformedACLError", "Unknown grantee type '" + type + "'");
            }
        }
        return grants;
    }

    private static Grant granteeFromHeader(String grantee, String permission, World w) {
        Matcher m = Pattern.compile("(id|emailAddress|uri)=\"?([^\"]*)\"?", Pattern.CASE_INSENSITIVE).matcher(grantee);
        if (!m.matches()) {
            throw new AwsException(400, "InvalidArgument", "Invalid grantee: " + grantee);
        }
        return switch (m.group(1).toLowerCase(Locale.ROOT)) {
            case "id" -> canonical(m.group(2), permission, w);
            case "emailaddress" -> byEmail(m.group(2), permission);
            default -> group(m.group(2), permission);
        };
    }

    private static Grant canonical(String id, String permission, World w) {
        if (id == null || !id.matches("[0-9a-f]{64}")) {
            throw new AwsException(400, "InvalidArgument", "Invalid id");
        }
        String display = id.equals(w.canonicalUserId()) ? "sandbox"
                : id.equals(World.exportServiceCanonicalId()) ? "vm-import-export" : null;
        return new Grant("CanonicalUser", id, display, null, permission);
    }

    private static Grant byEmail(String email, String permission) {
        if (!World.EXPORT_SERVICE_EMAIL.equalsIgnoreCase(email)) {
            throw new AwsException(400, "UnresolvableGrantByEmailAddress",
                    "The e-mail address you provided does not match any account on record.");
        }
        return new Grant("CanonicalUser", World.exportServiceCanonicalId(), "vm-import-export", null, permission);
    }

    private static Grant group(String uri, String permission) {
        return new Grant("Group", null, null, uri, permission);
    }

    private void getBucketAcl(HttpCall call, String name) throws IOException {
        String xml = world.read(w -> {
            Bucket bucket = bucket(w, call, name, true);
            XmlWriter x = new XmlWriter().start("AccessControlPolicy", NAMESPACE)
                    .start("Owner").leaf("ID", w.canonicalUserId()).leaf("DisplayName", "sandbox").end()
                    .start("AccessControlList");
            List<Grant> grants = bucket.aclsDisabled() ? ownerOnly(w) : bucket.acl();
            for (Grant g : grants) {
                x.start("Grant").startWithAttributes("Grantee", XSI + " xsi:type=\"" + g.granteeType() + "\"");
                if (g.granteeType().equals("Group")) {
                    x.leaf("URI", g.uri());
                } else {
                    x.leaf("ID", g.id()).leaf("DisplayName", g.displayName());
                }
                x.end().leaf("Permission", g.permission()).end();
            }
            return x.end().end().toString();
        });
        xml(call, 200, xml, Map.of());
    }

    private void getBucketLocation(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, false));
        XmlWriter x = new XmlWriter().start("LocationConstraint", NAMESPACE);
        if (!bucket.region().equals("us-east-1")) {
            x.leafText(bucket.region());
        }
        String xml = x.end().toString();
        xml(call, 200, xml, Map.of());
    }

    private void getOwnership(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, true));
        xml(call, 200, new XmlWriter().start("OwnershipControls", NAMESPACE).start("Rule")
                .leaf("ObjectOwnership", bucket.objectOwnership()).end().end().toString(), Map.of());
    }

    private void putOwnership(HttpCall call, String name) throws IOException {
        Element root = XmlReader.parse(readDocument(call));
        Element rule = XmlReader.child(root, "Rule");
        String ownership = rule == null ? null : XmlReader.text(rule, "ObjectOwnership");
        if (ownership == null || !OWNERSHIPS.contains(ownership)) {
            throw new AwsException(400, "MalformedXML", "The XML you provided was not well-formed or did not "
                    + "validate against our published schema");
        }
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            Bucket changed = bucket.withObjectOwnership(ownership);
            if (ownership.equals("BucketOwnerEnforced")) {
                changed = changed.withAcl(ownerOnly(w));
            }
            w.buckets().put(name, changed);
        });
        empty(call, 200, Map.of());
    }

    // ---- listing ----

    private void listObjects(HttpCall call, String name, boolean v2) throws IOException {
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
            NavigableMap<String, S3Object> objects = from == null ? w.objects(name) : w.objects(name).tailMap(from,
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

    private void listUploads(HttpCall call, String name) throws IOException {
        String prefix = call.queryParameter("prefix") == null ? "" : call.queryParameter("prefix");
        String xml = world.read(w -> {
            bucket(w, call, name, true);
            XmlWriter x = new XmlWriter().start("ListMultipartUploadsResult", NAMESPACE)
                    .leaf("Bucket", name).leaf("KeyMarker", "").leaf("UploadIdMarker", "")
                    .leaf("Prefix", prefix).leaf("MaxUploads", 1000).leaf("IsTruncated", false);
            w.uploads().values().stream().filter(u -> u.bucket().equals(name) && u.key().startsWith(prefix))
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

    private static void owner(XmlWriter x, String element, World w) {
        x.start(element).leaf("ID", w.canonicalUserId()).leaf("DisplayName", "sandbox").end();
    }

    private void deleteObjects(HttpCall call, String name) throws IOException {
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
            keys.forEach(k -> w.deleteObject(name, k));
        });
        XmlWriter x = new XmlWriter().start("DeleteResult", NAMESPACE);
        if (!quiet) {
            keys.forEach(k -> x.start("Deleted").leaf("Key", k).end());
        }
        xml(call, 200, x.end().toString(), Map.of());
    }

    // ---- objects ----

    /** What was received and stored for an object or part body. */
    private record Received(Path file, long size, String md5Hex, byte[] md5, Map<String, String> checksums) {
    }

    /**
     * Streams a PutObject or UploadPart body to a new file, decoding aws-chunked framing, computing MD5
     * and checksums, and verifying the ones the client sent (in headers or trailers).
     */
    private Received receive(HttpCall call) throws IOException {
        String encoding = call.header("Content-Encoding") == null ? "" : call.header("Content-Encoding");
        String sha = call.header("x-amz-content-sha256") == null ? "" : call.header("x-amz-content-sha256");
        boolean chunked = encoding.contains("aws-chunked") || sha.startsWith("STREAMING-");
        Map<ChecksumAlgorithm, String> expected = new LinkedHashMap<>();
        Map<ChecksumAlgorithm, ChecksumAlgorithm.Running> running = new LinkedHashMap<>();
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            String value = call.header(algorithm.header());
            if (value != null) {
                expected.put(algorithm, value);
                running.put(algorithm, algorithm.start());
            }
        }
        String trailer = call.header("x-amz-trailer");
        if (trailer != null) {
            for (String name : trailer.split(",")) {
                String id = name.trim().toLowerCase(Locale.ROOT).replace("x-amz-checksum-", "");
                ChecksumAlgorithm.fromId(id).ifPresent(a -> running.putIfAbsent(a, a.start()));
            }
        }
        String sdkAlgorithm = call.header("x-amz-sdk-checksum-algorithm");
        if (sdkAlgorithm != null) {
            ChecksumAlgorithm.fromId(sdkAlgorithm).ifPresent(a -> running.putIfAbsent(a, a.start()));
        }
        MessageDigest md5 = md5();
        Path file = world.blobs().newFile();
        long size = 0;
        InputStream body = call.body();
        AwsChunkedInputStream decoder = chunked ? new AwsChunkedInputStream(body) : null;
        InputStream in = decoder != null ? decoder : body;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                out.write(buffer, 0, n);
                md5.update(buffer, 0, n);
                for (ChecksumAlgorithm.Running r : running.values()) {
                    r.update(buffer, 0, n);
                }
                size += n;
            }
        } catch (AwsChunkedInputStream.MalformedChunkException e) {
            world.blobs().discard(file);
            throw new AwsException(400, "IncompleteBody", "The request body is not valid aws-chunked encoding: "
                    + e.getMessage());
        } catch (IOException | RuntimeException e) {
            world.blobs().discard(file);
            throw e;
        }
        try {
            if (decoder != null) {
                decoder.trailers().forEach((name, value) -> {
                    if (name.startsWith("x-amz-checksum-")) {
                        ChecksumAlgorithm.fromId(name.substring("x-amz-checksum-".length()))
                                .ifPresent(a -> expected.put(a, value));
                    }
                });
                String decodedLength = call.header("x-amz-decoded-content-length");
                if (decodedLength != null && Long.parseLong(decodedLength.trim()) != size) {
                    throw new AwsException(400, "IncompleteBody", "You did not provide the number of bytes "
                            + "specified by the Content-Length HTTP header");
                }
            } else {
                long declared = call.declaredLength();
                if (declared >= 0 && declared != size) {
                    throw new AwsException(400, "IncompleteBody", "You did not provide the number of bytes "
                            + "specified by the Content-Length HTTP header");
                }
            }
            byte[] digest = md5.digest();
            String contentMd5 = call.header("Content-MD5");
            if (contentMd5 != null && !contentMd5.trim().equals(Base64.getEncoder().encodeToString(digest))) {
                throw new AwsException(400, "BadDigest", "The Content-MD5 you specified did not match what we "
                        + "received.");
            }
            Map<String, String> checksums = new TreeMap<>();
            for (Map.Entry<ChecksumAlgorithm, ChecksumAlgorithm.Running> entry : running.entrySet()) {
                String actual = entry.getValue().base64();
                String wanted = expected.get(entry.getKey());
                if (wanted != null && !wanted.equals(actual)) {
                    throw new AwsException(400, "BadDigest", "The " + entry.getKey().name()
                            + " you specified did not match the calculated checksum.");
                }
                if (wanted != null) {
                    checksums.put(entry.getKey().id(), actual);
                }
            }
            return new Received(file, size, HexFormat.of().formatHex(digest), digest, checksums);
        } catch (RuntimeException e) {
            world.blobs().discard(file);
            throw e;
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> userMetadata(HttpCall call) {
        Map<String, String> metadata = new TreeMap<>();
        call.requestHeaders().forEach((name, values) -> {
            if (name.startsWith("x-amz-meta-") && !values.isEmpty()) {
                metadata.put(name.substring("x-amz-meta-".length()), values.get(0));
            }
        });
        return metadata;
    }

    private void putObject(HttpCall call, String name, String key) throws IOException {
        if (key.length() > 1024) {
            throw new AwsException(400, "KeyTooLongError", "Your key is too long");
        }
        world.read(w -> bucket(w, call, name, true));
        Received received = receive(call);
        String contentType = call.header("Content-Type") == null ? "binary/octet-stream" : call.header("Content-Type");
        S3Object object = new S3Object(name, key, received.size(), "\"" + received.md5Hex() + "\"", world.now(),
                contentType, userMetadata(call), received.checksums(), Blob.ofFile(received.file()));
        try {
            world.writeAndForget(w -> {
                bucket(w, call, name, true);
                w.putObject(new S3Object(name, key, object.size(), object.etag(), w.now(), object.contentType(),
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

    private void getObject(HttpCall call, String name, String key, boolean head) throws IOException {
        S3Object object = world.read(w -> {
            bucket(w, call, name, true);
            S3Object found = w.objects(name).get(key);
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

    private void serveObject(HttpCall call, S3Object object, boolean head) throws IOException {
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

    private void deleteObject(HttpCall call, String name, String key) throws IOException {
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            w.deleteObject(name, key);
        });
        empty(call, 204, Map.of());
    }

    // ---- multipart ----

    private void createUpload(HttpCall call, String name, String key) throws IOException {
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
            w.putUpload(created);
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
        MultipartUpload upload = w.uploads().get(uploadId);
        if (upload == null || !upload.bucket().equals(name) || !upload.key().equals(key)) {
            throw new AwsException(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be "
                    + "invalid, or the upload may have been aborted or completed.");
        }
        return upload;
    }

    private void uploadPart(HttpCall call, String name, String key) throws IOException {
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
        world.read(w -> {
            bucket(w, call, name, true);
            return upload(w, uploadId, name, key);
        });
        Received received = receive(call);
        int number = partNumber;
        UploadedPart part = new UploadedPart(number, received.size(), "\"" + received.md5Hex() + "\"", world.now(),
                received.checksums(), Blob.ofFile(received.file()));
        try {
            world.writeAndForget(w -> {
                MultipartUpload upload = upload(w, uploadId, name, key);
                w.putUpload(upload.withPart(part));
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

    private void listParts(HttpCall call, String name, String key) throws IOException {
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

    private void completeUpload(HttpCall call, String name, String key) throws IOException {
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
            w.putObject(new S3Object(name, key, size, etag, w.now(), current.contentType(), current.metadata(),
                    checksums, blob));
            w.removeUpload(uploadId);
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

    private void abortUpload(HttpCall call, String name, String key) throws IOException {
        String uploadId = call.queryParameter("uploadId");
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            upload(w, uploadId, name, key);
            w.removeUpload(uploadId);
        });
        empty(call, 204, Map.of());
    }

    /** A small request document, with Content-MD5 and checksum headers verified when present. */
    private static byte[] readDocument(HttpCall call) throws IOException {
        byte[] body = call.bodyBytes(MAX_DOCUMENT);
        String contentMd5 = call.header("Content-MD5");
        if (contentMd5 != null) {
            String actual = Base64.getEncoder().encodeToString(md5().digest(body));
            if (!actual.equals(contentMd5.trim())) {
                throw new AwsException(400, "BadDigest", "The Content-MD5 you specified did not match what we "
                        + "received.");
            }
        }
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            String value = call.header(algorithm.header());
            if (value != null) {
                ChecksumAlgorithm.Running running = algorithm.start();
                running.update(body, 0, body.length);
                if (!running.base64().equals(value.trim())) {
                    throw new AwsException(400, "BadDigest", "The " + algorithm.name()
                            + " you specified did not match the calculated checksum.");
                }
            }
        }
        return body;
    }

    @Override
    public String toString() {
        return "S3Handler";
    }
}
