package dev.ferry.sandbox.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An IAM-style policy document, checked the way IAM and S3 check them (enough to reject the mistakes
 * that matter: missing fields, actions without a service, resources that are not ARNs) and evaluated
 * for Allow/Deny on an action and a resource. Conditions are accepted and not evaluated.
 */
final class PolicyDocument {

    /** Where a policy is used decides which fields it must and must not have. */
    enum Kind { IDENTITY, TRUST, BUCKET }

    record Statement(String effect, List<String> actions, List<String> notActions, List<String> resources,
                     List<String> servicePrincipals, boolean anyPrincipal) {
    }

    private static final Pattern ACTION = Pattern.compile("\\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+");

    private final List<Statement> statements;

    private PolicyDocument(List<Statement> statements) {
        this.statements = List.copyOf(statements);
    }

    /**
     * Parses and checks a document.
     *
     * @param errorCode the code to fail with: {@code MalformedPolicyDocument} (IAM) or {@code MalformedPolicy} (S3)
     * @param bucket    for a bucket policy, the bucket its resources must name
     */
    static PolicyDocument parse(String text, Kind kind, String errorCode, String bucket) {
        JsonNode root;
        try {
            root = Json.parse(text);
        } catch (JsonProcessingException e) {
            throw malformed(errorCode, kind == Kind.BUCKET
                    ? "Policies must be valid JSON and the first byte must be '{'"
                    : "Syntax errors in policy.");
        }
        if (root == null || !root.isObject()) {
            throw malformed(errorCode, "Policies must be valid JSON and the first byte must be '{'");
        }
        JsonNode version = root.get("Version");
        if (version != null && !version.asText().equals("2012-10-17") && !version.asText().equals("2008-10-17")) {
            throw malformed(errorCode, "The policy must contain a valid version string");
        }
        JsonNode statementNode = root.get("Statement");
        if (statementNode == null || statementNode.isNull()) {
            throw malformed(errorCode, kind == Kind.BUCKET ? "Missing required field Statement"
                    : "Syntax errors in policy.");
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (statementNode.isArray()) {
            statementNode.forEach(nodes::add);
        } else {
            nodes.add(statementNode);
        }
        if (nodes.isEmpty()) {
            throw malformed(errorCode, "Policy statement must contain at least one statement.");
        }
        List<Statement> statements = new ArrayList<>();
        for (JsonNode node : nodes) {
            statements.add(statement(node, kind, errorCode, bucket));
        }
        return new PolicyDocument(statements);
    }

    private static Statement statement(JsonNode node, Kind kind, String errorCode, String bucket) {
        if (!node.isObject()) {
            throw malformed(errorCode, "Syntax errors in policy.");
        }
        String effect = node.path("Effect").asText(null);
        if (effect == null) {
            throw malformed(errorCode, "Missing required field Effect");
        }
        if (!effect.equals("Allow") && !effect.equals("Deny")) {
            throw malformed(errorCode, "Invalid effect: " + effect);
        }
        List<String> actions = strings(node.get("Action"));
        List<String> notActions = strings(node.get("NotAction"));
        if (actions.isEmpty() && notActions.isEmpty()) {
            throw malformed(errorCode, kind == Kind.BUCKET ? "Missing required field Action"
                    : "Policy statement must contain actions.");
        }
        for (String action : concat(actions, notActions)) {
            if (!ACTION.matcher(action).matches()) {
                throw malformed(errorCode, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, "
                        + "etc. (" + action + ")");
            }
        }
        List<String> resources = strings(node.get("Resource"));
        JsonNode principal = node.get("Principal");
        List<String> services = new ArrayList<>();
        boolean anyPrincipal = false;
        if (principal != null) {
            if (principal.isTextual() && principal.asText().equals("*")) {
                anyPrincipal = true;
            } else if (principal.isObject()) {
                services.addAll(strings(principal.get("Service")));
                anyPrincipal = strings(principal.get("AWS")).contains("*");
                if (principal.size() == 0) {
                    throw malformed(errorCode, "Invalid principal in policy");
                }
            } else {
                throw malformed(errorCode, "Invalid principal in policy");
            }
        }
        switch (kind) {
            case IDENTITY -> {
                if (principal != null) {
                    throw malformed(errorCode, "Policy document should not specify a principal.");
                }
                if (resources.isEmpty() && node.get("NotResource") == null) {
                    throw malformed(errorCode, "Policy statement must contain resources.");
                }
                for (String resource : resources) {
                    if (!resource.equals("*") && !resource.startsWith("arn:")) {
                        throw malformed(errorCode, "Resource " + resource + " must be in ARN format or \"*\".");
                    }
                }
            }
            case TRUST -> {
                if (principal == null) {
                    throw malformed(errorCode, "AssumeRolepolicy contained an invalid principal element");
                }
                if (node.get("Resource") != null) {
                    throw malformed(errorCode, "Has prohibited field Resource");
                }
            }
            case BUCKET -> {
                if (principal == null) {
                    throw malformed(errorCode, "Missing required field Principal");
                }
                if (resources.isEmpty()) {
                    throw malformed(errorCode, "Missing required field Resource");
                }
                for (String resource : resources) {
                    String arn = "arn:aws:s3:::" + bucket;
                    if (!resource.equals(arn) && !resource.startsWith(arn + "/")) {
                        throw malformed(errorCode, "Policy has invalid resource");
                    }
                }
            }
        }
        return new Statement(effect, actions, notActions, resources, services, anyPrincipal);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> strings(JsonNode node) {
        List<String> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (node.isArray()) {
            node.forEach(n -> result.add(n.asText()));
        } else {
            result.add(node.asText());
        }
        return result;
    }

    private static AwsException malformed(String code, String message) {
        return new AwsException(400, code, message);
    }

    /** Whether an identity policy allows {@code action} on {@code resource} (and no statement denies it). */
    boolean allows(String action, String resource) {
        boolean allowed = false;
        for (Statement statement : statements) {
            if (!matchesAction(statement, action) || !matchesResource(statement, resource)) {
                continue;
            }
            if (statement.effect().equals("Deny")) {
                return false;
            }
            allowed = true;
        }
        return allowed;
    }

    /** Whether a trust policy lets the service principal assume the role. */
    boolean trusts(String servicePrincipal) {
        for (Statement statement : statements) {
            if (statement.effect().equals("Allow") && matchesAction(statement, "sts:AssumeRole")
                    && (statement.servicePrincipals().contains(servicePrincipal) || statement.anyPrincipal())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAction(Statement statement, String action) {
        if (!statement.actions().isEmpty()) {
            return statement.actions().stream().anyMatch(a -> glob(a.toLowerCase(Locale.ROOT),
                    action.toLowerCase(Locale.ROOT)));
        }
        return statement.notActions().stream().noneMatch(a -> glob(a.toLowerCase(Locale.ROOT),
                action.toLowerCase(Locale.ROOT)));
    }

    private static boolean matchesResource(Statement statement, String resource) {
        return statement.resources().isEmpty() || statement.resources().stream().anyMatch(r -> glob(r, resource));
    }

    /** {@code *} matches any run, {@code ?} any one character. */
    static boolean glob(String pattern, String value) {
        int p = 0;
        int v = 0;
        int star = -1;
        int mark = 0;
        while (v < value.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == value.charAt(v))) {
                p++;
                v++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = v;
            } else if (star >= 0) {
                p = star + 1;
                v = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
