package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.Grant;
import dev.ferry.sandbox.world.World;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** S3 access control lists: the grants a canned ACL, grant headers or an AccessControlPolicy body stand for. */
final class S3Grants {

    private S3Grants() {
    }

    static List<Grant> ownerOnly(World w) {
        return List.of(new Grant("CanonicalUser", w.canonicalUserId(), "sandbox", null, "FULL_CONTROL"));
    }

    static List<Grant> grantsFrom(HttpCall call, byte[] body, World w) {
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
}
