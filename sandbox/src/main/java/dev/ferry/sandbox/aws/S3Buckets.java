package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.Grant;
import dev.ferry.sandbox.world.World;
import org.w3c.dom.Element;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.ferry.sandbox.aws.S3Grants.grantsFrom;
import static dev.ferry.sandbox.aws.S3Grants.ownerOnly;
import static dev.ferry.sandbox.aws.S3Protocol.MAX_DOCUMENT;
import static dev.ferry.sandbox.aws.S3Protocol.NAMESPACE;
import static dev.ferry.sandbox.aws.S3Protocol.baseHeaders;
import static dev.ferry.sandbox.aws.S3Protocol.bucket;
import static dev.ferry.sandbox.aws.S3Protocol.empty;
import static dev.ferry.sandbox.aws.S3Protocol.readDocument;
import static dev.ferry.sandbox.aws.S3Protocol.xml;
import static java.util.Objects.requireNonNull;

/** S3 buckets and their configuration: create, head, delete, policy, ACL, location, ownership controls, versioning. */
final class S3Buckets {

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Set<String> OWNERSHIPS = Set.of("BucketOwnerEnforced", "BucketOwnerPreferred",
            "ObjectWriter");
    private static final String XSI = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    private final World world;

    S3Buckets(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    void listBuckets(HttpCall call) throws IOException {
        String xml = world.read(w -> {
            XmlWriter x = new XmlWriter().start("ListAllMyBucketsResult", NAMESPACE)
                    .start("Owner").leaf("ID", w.canonicalUserId()).leaf("DisplayName", "sandbox").end()
                    .start("Buckets");
            for (Bucket b : w.s3().buckets().values()) {
                x.start("Bucket").leaf("Name", b.name()).leaf("CreationDate", b.created())
                        .leaf("BucketRegion", b.region()).end();
            }
            return x.end().end().toString();
        });
        xml(call, 200, xml, Map.of());
    }

    void createBucket(HttpCall call, String name) throws IOException {
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
            if (w.s3().buckets().containsKey(name)) {
                throw new AwsException(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named "
                        + "bucket succeeded and you already own it.");
            }
            List<Grant> acl = ownerOnly(w);
            w.s3().buckets().put(name, new Bucket(name, region, w.now(), ownership, null, acl));
        });
        empty(call, 200, Map.of("Location", "/" + name));
    }

    void headBucket(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, true));
        Map<String, String> headers = baseHeaders(call);
        headers.put("x-amz-bucket-region", bucket.region());
        headers.put("x-amz-access-point-alias", "false");
        call.respondHead(200, -1, headers);
    }

    void deleteBucket(HttpCall call, String name) throws IOException {
        world.writeAndForget(w -> {
            bucket(w, call, name, true);
            if (!w.s3().objects(name).isEmpty()) {
                throw new AwsException(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
            }
            w.s3().deleteBucket(name);
        });
        empty(call, 204, Map.of());
    }

    void putBucketPolicy(HttpCall call, String name) throws IOException {
        byte[] body = readDocument(call);
        String policy = new String(body, StandardCharsets.UTF_8);
        PolicyDocument.parse(policy, PolicyDocument.Kind.BUCKET, "MalformedPolicy", name);
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            w.s3().buckets().put(name, bucket.withPolicy(policy));
        });
        empty(call, 204, Map.of());
    }

    void getBucketPolicy(HttpCall call, String name) throws IOException {
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

    void deleteBucketPolicy(HttpCall call, String name) throws IOException {
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            w.s3().buckets().put(name, bucket.withPolicy(null));
        });
        empty(call, 204, Map.of());
    }

    void putBucketAcl(HttpCall call, String name) throws IOException {
        byte[] body = readDocument(call);
        List<Grant> grants = world.read(w -> grantsFrom(call, body, w));
        world.writeAndForget(w -> {
            Bucket bucket = bucket(w, call, name, true);
            boolean ownerOnly = grants.stream().allMatch(g -> w.canonicalUserId().equals(g.id())
                    && g.permission().equals("FULL_CONTROL"));
            if (bucket.aclsDisabled() && !ownerOnly) {
                throw new AwsException(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
            }
            w.s3().buckets().put(name, bucket.withAcl(grants));
        });
        empty(call, 200, Map.of());
    }

    void getBucketAcl(HttpCall call, String name) throws IOException {
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

    void getBucketLocation(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, false));
        XmlWriter x = new XmlWriter().start("LocationConstraint", NAMESPACE);
        if (!bucket.region().equals("us-east-1")) {
            x.leafText(bucket.region());
        }
        String xml = x.end().toString();
        xml(call, 200, xml, Map.of());
    }

    void getOwnership(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, true));
        xml(call, 200, new XmlWriter().start("OwnershipControls", NAMESPACE).start("Rule")
                .leaf("ObjectOwnership", bucket.objectOwnership()).end().end().toString(), Map.of());
    }

    void putOwnership(HttpCall call, String name) throws IOException {
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
            w.s3().buckets().put(name, changed);
        });
        empty(call, 200, Map.of());
    }

    void getVersioning(HttpCall call, String name) throws IOException {
        Bucket bucket = world.read(w -> bucket(w, call, name, true));
        XmlWriter x = new XmlWriter().start("VersioningConfiguration", NAMESPACE);
        if (bucket.versioning() != null) {
            x.leaf("Status", bucket.versioning());
        }
        xml(call, 200, x.end().toString(), Map.of());
    }

    void putVersioning(HttpCall call, String name) throws IOException {
        Element root = XmlReader.parse(readDocument(call));
        String status = XmlReader.text(root, "Status");
        if (!"Enabled".equals(status) && !"Suspended".equals(status)) {
            throw new AwsException(400, "MalformedXML", "The XML you provided was not well-formed or did not "
                    + "validate against our published schema");
        }
        world.writeAndForget(w -> w.s3().buckets().put(name, bucket(w, call, name, true).withVersioning(status)));
        empty(call, 200, Map.of());
    }
}
