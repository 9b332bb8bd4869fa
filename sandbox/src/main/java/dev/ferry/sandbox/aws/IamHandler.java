package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.IamRole;
import dev.ferry.sandbox.world.World;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The IAM Query API for roles and their inline policies (the VM Import/Export service role). */
public final class IamHandler extends IdentityQueryService {

    static final String NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
    private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
    private static final Pattern POLICY_NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
    private static final Pattern PATH = Pattern.compile("/([\\x21-\\x7E]*/)?");

    public IamHandler(World world) {
        super(world, NAMESPACE);
    }

    /**
     * IAM is global: its one endpoint takes requests signed for us-east-1, which is what the SDK signs for on
     * AWS's own endpoint, or for {@code aws-global}, which it signs for on an overridden endpoint (as here).
     */
    @Override
    protected boolean signsFor(String region) {
        return region.equals("us-east-1") || region.equals("aws-global");
    }

    @Override
    protected AwsException internalFailure() {
        return new AwsException(500, "ServiceFailure", "An internal failure occurred.");
    }

    @Override
    protected String serve(String action, QueryParams params, HttpCall call) {
        String id = call.requestId();
        return switch (action) {
            case "CreateRole" -> createRole(params, id);
            case "GetRole" -> getRole(params, id);
            case "DeleteRole" -> deleteRole(params, id);
            case "PutRolePolicy" -> putRolePolicy(params, id);
            case "GetRolePolicy" -> getRolePolicy(params, id);
            case "DeleteRolePolicy" -> deleteRolePolicy(params, id);
            case "ListRolePolicies" -> listRolePolicies(params, id);
            default -> throw new AwsException(400, "InvalidAction",
                    "Could not find operation " + action + " for version 2010-05-08");
        };
    }

    private static XmlWriter response(String action) {
        return new XmlWriter().start(action + "Response", NAMESPACE).start(action + "Result");
    }

    private static String finish(XmlWriter xml, String requestId) {
        return xml.end().start("ResponseMetadata").leaf("RequestId", requestId).end().end().toString();
    }

    /** How IAM returns policy documents: URL-encoded. */
    static String urlEncode(String document) {
        return URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String roleName(QueryParams params) {
        String name = params.require("RoleName");
        if (!NAME.matcher(name).matches()) {
            throw AwsException.badRequest("ValidationError", "1 validation error detected: Value '" + name
                    + "' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "[\\w+=,.@-]+");
        }
        return name;
    }

    private static IamRole role(World w, String name) {
        IamRole role = w.roles().get(name);
        if (role == null) {
            throw new AwsException(404, "NoSuchEntity", "The role with name " + name + " cannot be found.");
        }
        return role;
    }

    private static void role(XmlWriter xml, IamRole role) {
        xml.start("Role")
                .leaf("Path", role.path())
                .leaf("RoleName", role.name())
                .leaf("RoleId", role.roleId())
                .leaf("Arn", role.arn())
                .leaf("CreateDate", role.created().truncatedTo(ChronoUnit.SECONDS).toString())
                .leaf("AssumeRolePolicyDocument", urlEncode(role.assumeRolePolicyDocument()))
                .leaf("Description", role.description())
                .leaf("MaxSessionDuration", role.maxSessionDuration());
        if (!role.tags().isEmpty()) {
            xml.start("Tags");
            role.tags().forEach((k, v) -> xml.start("member").leaf("Key", k).leaf("Value", v).end());
            xml.end();
        }
        xml.start("RoleLastUsed").end();
        xml.end();
    }

    private String createRole(QueryParams params, String requestId) {
        String name = roleName(params);
        String document = params.require("AssumeRolePolicyDocument");
        if (document.length() > 2048) {
            throw new AwsException(409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048");
        }
        PolicyDocument.parse(document, PolicyDocument.Kind.TRUST, "MalformedPolicyDocument", null);
        String path = params.get("Path") == null ? "/" : params.get("Path");
        if (!PATH.matcher(path).matches() || path.length() > 512) {
            throw AwsException.badRequest("ValidationError", "The specified value for path is invalid. It must "
                    + "begin and end with / and contain only alphanumeric characters and/or / characters.");
        }
        Integer maxSession = params.integer("MaxSessionDuration");
        if (maxSession != null && (maxSession < 3600 || maxSession > 43200)) {
            throw AwsException.badRequest("ValidationError", "The requested MaxSessionDuration must be between "
                    + "3600 and 43200 seconds.");
        }
        Map<String, String> tags = new TreeMap<>();
        for (QueryParams tag : params.members("Tags")) {
            tags.put(tag.require("Key"), tag.get("Value") == null ? "" : tag.get("Value"));
        }
        IamRole role = world.write(w -> {
            if (w.roles().keySet().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
                throw new AwsException(409, "EntityAlreadyExists", "Role with name " + name + " already exists.");
            }
            IamRole created = new IamRole(name, w.ids().upper("AROA", 17),
                    "arn:aws:iam::" + w.account() + ":role" + path + name, path, document, params.get("Description"),
                    w.now().truncatedTo(ChronoUnit.SECONDS), maxSession == null ? 3600 : maxSession, Map.of(),
                    tags);
            w.roles().put(name, created);
            return created;
        });
        XmlWriter xml = response("CreateRole");
        role(xml, role);
        return finish(xml, requestId);
    }

    private String getRole(QueryParams params, String requestId) {
        String name = roleName(params);
        IamRole role = world.read(w -> role(w, name));
        XmlWriter xml = response("GetRole");
        role(xml, role);
        return finish(xml, requestId);
    }

    private String deleteRole(QueryParams params, String requestId) {
        String name = roleName(params);
        world.writeAndForget(w -> {
            IamRole role = role(w, name);
            if (!role.inlinePolicies().isEmpty()) {
                throw new AwsException(409, "DeleteConflict", "Cannot delete entity, must delete policies first.");
            }
            w.roles().remove(name);
        });
        return finish(response("DeleteRole"), requestId);
    }

    private static String policyName(QueryParams params) {
        String name = params.require("PolicyName");
        if (!POLICY_NAME.matcher(name).matches()) {
            throw AwsException.badRequest("ValidationError", "The specified value for policyName is invalid. It must "
                    + "contain only alphanumeric characters and/or the following: +=,.@_-");
        }
        return name;
    }

    private String putRolePolicy(QueryParams params, String requestId) {
        String name = roleName(params);
        String policy = policyName(params);
        String document = params.require("PolicyDocument");
        if (document.length() > 10240) {
            throw new AwsException(409, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role "
                    + name);
        }
        PolicyDocument.parse(document, PolicyDocument.Kind.IDENTITY, "MalformedPolicyDocument", null);
        world.writeAndForget(w -> {
            IamRole role = role(w, name);
            Map<String, String> policies = new TreeMap<>(role.inlinePolicies());
            policies.put(policy, document);
            w.roles().put(name, role.withInlinePolicies(policies));
        });
        return finish(response("PutRolePolicy"), requestId);
    }

    private String getRolePolicy(QueryParams params, String requestId) {
        String name = roleName(params);
        String policy = policyName(params);
        String document = world.read(w -> {
            String found = role(w, name).inlinePolicies().get(policy);
            if (found == null) {
                throw new AwsException(404, "NoSuchEntity", "The role policy with name " + policy
                        + " cannot be found.");
            }
            return found;
        });
        XmlWriter xml = response("GetRolePolicy").leaf("RoleName", name).leaf("PolicyName", policy)
                .leaf("PolicyDocument", urlEncode(document));
        return finish(xml, requestId);
    }

    private String deleteRolePolicy(QueryParams params, String requestId) {
        String name = roleName(params);
        String policy = policyName(params);
        world.writeAndForget(w -> {
            IamRole role = role(w, name);
            if (!role.inlinePolicies().containsKey(policy)) {
                throw new AwsException(404, "NoSuchEntity", "The role policy with name " + policy
                        + " cannot be found.");
            }
            Map<String, String> policies = new TreeMap<>(role.inlinePolicies());
            policies.remove(policy);
            w.roles().put(name, role.withInlinePolicies(policies));
        });
        return finish(response("DeleteRolePolicy"), requestId);
    }

    private String listRolePolicies(QueryParams params, String requestId) {
        String name = roleName(params);
        Integer maxItems = params.integer("MaxItems");
        int max = maxItems == null ? 100 : maxItems;
        if (max < 1 || max > 1000) {
            throw AwsException.badRequest("ValidationError", "1 validation error detected: Value '" + max
                    + "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
        }
        String marker = params.get("Marker");
        List<String> names = world.read(w -> new ArrayList<>(role(w, name).inlinePolicies().keySet()));
        int start = 0;
        if (marker != null) {
            start = names.indexOf(marker);
            if (start < 0) {
                throw AwsException.badRequest("ValidationError", "Invalid Marker.");
            }
        }
        int end = Math.min(names.size(), start + max);
        XmlWriter xml = response("ListRolePolicies").start("PolicyNames");
        names.subList(start, end).forEach(n -> xml.leaf("member", n));
        xml.end().leaf("IsTruncated", end < names.size());
        if (end < names.size()) {
            xml.leaf("Marker", names.get(end));
        }
        return finish(xml, requestId);
    }
}
