package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.world.FirewallRule;
import dev.ferry.sandbox.world.FirewallRules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Field checks of the Linode API, with the limits of its OpenAPI description. */
final class LinodeValidation {

    static final int MAX_FIREWALL_RULES = 25;
    static final int MAX_ADDRESSES_PER_RULE = 255;
    static final int MAX_PORT_PIECES = 15;

    private static final Pattern LABEL = Pattern.compile("^[a-zA-Z]((?!--|__|\\.\\.)[a-zA-Z0-9-_.])+$");
    private static final Pattern PORT_ITEM = Pattern.compile("\\s*(\\d{1,5})(?:\\s*-\\s*(\\d{1,5}))?\\s*");
    private static final Pattern SSH_KEY = Pattern.compile(
            "(ssh-rsa|ssh-dss|ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|"
                    + "sk-ssh-ed25519@openssh.com|sk-ecdsa-sha2-nistp256@openssh.com) ([A-Za-z0-9+/]+={0,3})( .*)?");
    private static final Set<String> COMMON_PASSWORDS = Set.of("password", "123456", "12345678", "123456789",
            "1234567890", "qwerty", "qwertyuiop", "letmein", "welcome", "admin", "administrator", "iloveyou",
            "monkey", "dragon", "sunshine", "princess", "football", "baseball", "abc123", "passw0rd", "p@ssw0rd",
            "p@ssword", "changeme", "trustno1", "root", "toor", "linode", "master", "secret", "hunter2", "shadow", "superman");

    private LinodeValidation() {
    }

    /** Labels of Linodes (3–64) and firewalls (3–32). */
    static String label(String field, JsonNode value, int min, int max) {
        if (value == null || !value.isTextual()) {
            throw LinodeException.field(field, "Label must be a string");
        }
        String label = value.asText();
        if (label.length() < min || label.length() > max) {
            throw LinodeException.field(field, "Length must be " + min + "-" + max + " characters");
        }
        if (!LABEL.matcher(label).matches()) {
            throw LinodeException.field(field, "Label must begin with a letter and contain only letters, numbers, "
                    + "dashes, underscores and periods, without two dashes, underscores or periods in a row");
        }
        return label;
    }

    /** Tags: a list of strings of {@code min}–{@code max} characters. */
    static List<String> tags(JsonNode value, int min, int max) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw LinodeException.field("tags", "Must be a list of strings");
        }
        if (value.size() > 500) {
            throw LinodeException.field("tags", "At most 500 tags");
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : value) {
            if (!tag.isTextual()) {
                throw LinodeException.field("tags", "Must be a list of strings");
            }
            String text = tag.asText();
            if (text.length() < min || text.length() > max) {
                throw LinodeException.field("tags", "Length must be " + min + "-" + max + " characters");
            }
            if (!tags.contains(text)) {
                tags.add(text);
            }
        }
        return tags;
    }

    /** A root password: 7–128 characters (code points, as the API counts them) and hard enough to guess. */
    static void rootPassword(JsonNode value) {
        if (value == null || !value.isTextual()) {
            throw LinodeException.field("root_pass", "root_pass is required when deploying from an image");
        }
        String password = value.asText();
        int length = password.codePointCount(0, password.length());
        if (length < 7 || length > 128) {
            throw LinodeException.field("root_pass", "Length must be 7-128 characters");
        }
        if (!strongEnough(password)) {
            throw LinodeException.field("root_pass", "Password does not meet strength requirement.");
        }
    }

    /**
     * A rough stand-in for the strength check Linode runs (zxcvbn): enough entropy from the character classes
     * used, and not a common password (alone or with digits and symbols after it), a repetition of three
     * characters or fewer, or a keyboard or alphabet run. Anything that is not a lower- or upper-case letter
     * or a digit counts as a symbol.
     */
    static boolean strongEnough(String password) {
        String lower = password.toLowerCase(Locale.ROOT);
        String stem = lower.replaceAll("[0-9!@#$%^&*.?_-]+$", "");
        if (COMMON_PASSWORDS.contains(lower) || COMMON_PASSWORDS.contains(stem)) {
            return false;
        }
        if (password.codePoints().distinct().count() <= 3) {
            return false;
        }
        if (isRun(lower)) {
            return false;
        }
        int pool = 0;
        if (password.codePoints().anyMatch(Character::isLowerCase)) {
            pool += 26;
        }
        if (password.codePoints().anyMatch(Character::isUpperCase)) {
            pool += 26;
        }
        if (password.codePoints().anyMatch(Character::isDigit)) {
            pool += 10;
        }
        if (password.codePoints().anyMatch(c -> !Character.isLowerCase(c) && !Character.isUpperCase(c) && !Character.isDigit(c))) {
            pool += 33;
        }
        double bits = password.codePointCount(0, password.length()) * (Math.log(pool) / Math.log(2));
        return bits >= 40;
    }

    private static boolean isRun(String s) {
        String runs = "abcdefghijklmnopqrstuvwxyz 01234567890 qwertyuiopasdfghjklzxcvbnm 1qaz2wsx";
        return runs.contains(s) || new StringBuilder(runs).reverse().toString().contains(s);
    }

    /** Public SSH keys as OpenSSH writes them. */
    static List<String> sshKeys(JsonNode value) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw LinodeException.field("authorized_keys", "Must be a list of SSH public keys");
        }
        List<String> keys = new ArrayList<>();
        for (JsonNode key : value) {
            String text = key.asText("").trim();
            var m = SSH_KEY.matcher(text);
            boolean valid = m.matches();
            if (valid) {
                try {
                    valid = namesItsOwnType(Base64.getDecoder().decode(m.group(2)), m.group(1));
                } catch (IllegalArgumentException e) {
                    valid = false;
                }
            }
            if (!valid) {
                throw LinodeException.field("authorized_keys", "SSH Key key-type must be ssh-dss, ssh-rsa, "
                        + "ecdsa-sha2-nistp, ssh-ed25519, or sk-ecdsa-sha2-nistp256 (and the key must be valid)");
            }
            keys.add(text);
        }
        return keys;
    }

    /** The key data starts with the line's key type, as OpenSSH writes it (a 32-bit length, then the name). */
    private static boolean namesItsOwnType(byte[] blob, String type) {
        if (blob.length <= 16) {
            return false;
        }
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(blob);
        int length = buffer.getInt();
        return length == type.length() && length <= buffer.remaining()
                && new String(blob, Integer.BYTES, length, StandardCharsets.US_ASCII).equals(type);
    }

    /** Reads and checks a rules object ({@code inbound_policy}, {@code inbound}, ...). */
    static FirewallRules rules(JsonNode node, int version) {
        if (node == null || !node.isObject()) {
            throw LinodeException.field("rules", "rules is required");
        }
        String inboundPolicy = policy(node.get("inbound_policy"), "rules.inbound_policy");
        String outboundPolicy = policy(node.get("outbound_policy"), "rules.outbound_policy");
        List<FirewallRule> inbound = ruleList(node.get("inbound"), "rules.inbound");
        List<FirewallRule> outbound = ruleList(node.get("outbound"), "rules.outbound");
        if (inbound.size() + outbound.size() > MAX_FIREWALL_RULES) {
            throw LinodeException.field("rules", "Too many rules: a firewall can have at most " + MAX_FIREWALL_RULES
                    + " inbound and outbound rules in total");
        }
        return new FirewallRules(inboundPolicy, outboundPolicy, inbound, outbound, version,
                fingerprint(inboundPolicy, outboundPolicy, inbound, outbound));
    }

    private static String policy(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            throw LinodeException.field(field, field.substring(field.indexOf('.') + 1) + " is required");
        }
        String policy = value.asText();
        if (!policy.equals("ACCEPT") && !policy.equals("DROP")) {
            throw LinodeException.field(field, "Must be one of ACCEPT, DROP");
        }
        return policy;
    }

    private static List<FirewallRule> ruleList(JsonNode value, String field) {
        List<FirewallRule> rules = new ArrayList<>();
        if (value == null || value.isNull()) {
            return rules;
        }
        if (!value.isArray()) {
            throw LinodeException.field(field, "Must be a list of rules");
        }
        int index = 0;
        for (JsonNode rule : value) {
            rules.add(rule(rule, field + "[" + index + "]"));
            index++;
        }
        return rules;
    }

    private static FirewallRule rule(JsonNode rule, String field) {
        if (!rule.isObject()) {
            throw LinodeException.field(field, "A rule must be an object");
        }
        String action = rule.path("action").asText(null);
        if (action == null) {
            throw LinodeException.field(field + ".action", "action is required");
        }
        if (!action.equals("ACCEPT") && !action.equals("DROP")) {
            throw LinodeException.field(field + ".action", "Must be one of ACCEPT, DROP");
        }
        String protocol = rule.path("protocol").asText(null);
        if (protocol == null) {
            throw LinodeException.field(field + ".protocol", "protocol is required");
        }
        if (!Set.of("TCP", "UDP", "ICMP", "IPENCAP").contains(protocol)) {
            throw LinodeException.field(field + ".protocol", "Must be one of TCP, UDP, ICMP, IPENCAP");
        }
        JsonNode portsNode = rule.get("ports");
        String ports = portsNode == null || portsNode.isNull() ? null : portsNode.asText();
        if (ports != null) {
            if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
                throw LinodeException.field(field + ".ports", "Ports may only be specified for TCP and UDP rules");
            }
            checkPorts(ports, field + ".ports");
        }
        JsonNode addresses = rule.get("addresses");
        if (addresses == null || !addresses.isObject()) {
            throw LinodeException.field(field + ".addresses", "addresses is required");
        }
        List<String> ipv4 = addressList(addresses.get("ipv4"), field + ".addresses.ipv4", false);
        List<String> ipv6 = addressList(addresses.get("ipv6"), field + ".addresses.ipv6", true);
        if ((ipv4 == null ? 0 : ipv4.size()) + (ipv6 == null ? 0 : ipv6.size()) == 0) {
            throw LinodeException.field(field + ".addresses", "A rule needs at least one address");
        }
        if ((ipv4 == null ? 0 : ipv4.size()) + (ipv6 == null ? 0 : ipv6.size()) > MAX_ADDRESSES_PER_RULE) {
            throw LinodeException.field(field + ".addresses", "Too many addresses: at most "
                    + MAX_ADDRESSES_PER_RULE + " per rule");
        }
        String label = rule.hasNonNull("label") ? rule.get("label").asText() : null;
        if (label != null && (label.length() < 3 || label.length() > 32)) {
            throw LinodeException.field(field + ".label", "Length must be 3-32 characters");
        }
        String description = rule.hasNonNull("description") ? rule.get("description").asText() : null;
        if (description != null && description.length() > 100) {
            throw LinodeException.field(field + ".description", "Length must be 1-100 characters");
        }
        return new FirewallRule(action, protocol, ports, ipv4, ipv6, label, description);
    }

    /** {@code "22-24, 80, 443"}: at most 15 pieces, a range counting two. */
    static void checkPorts(String ports, String field) {
        if (ports.isBlank()) {
            throw LinodeException.field(field, "Must be a port, a range such as 22-24, or a comma-separated list");
        }
        int pieces = 0;
        for (String item : ports.split(",", -1)) {
            var m = PORT_ITEM.matcher(item);
            if (!m.matches()) {
                throw LinodeException.field(field, "Invalid port or port range '" + item.trim() + "'");
            }
            int from = Integer.parseInt(m.group(1));
            int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            if (from < 1 || from > 65535 || to < 1 || to > 65535) {
                throw LinodeException.field(field, "Ports must be between 1 and 65535");
            }
            if (m.group(2) != null && from >= to) {
                throw LinodeException.field(field, "Range '" + item.trim() + "' must go from low to high");
            }
            pieces += m.group(2) == null ? 1 : 2;
        }
        if (pieces > MAX_PORT_PIECES) {
            throw LinodeException.field(field, "Too many ports: at most " + MAX_PORT_PIECES
                    + " pieces (a range counts as two)");
        }
    }

    private static List<String> addressList(JsonNode value, String field, boolean ipv6) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw LinodeException.field(field, "Must be a list of addresses");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode address : value) {
            String text = address.asText();
            if (!(ipv6 ? validIpv6(text) : validIpv4(text))) {
                throw LinodeException.field(field, "Invalid " + (ipv6 ? "IPv6" : "IPv4") + " address or range '"
                        + text + "'");
            }
            result.add(text);
        }
        return result;
    }

    static boolean validIpv4(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length > 2) {
            return false;
        }
        if (parts.length == 2 && !validPrefix(parts[1], 32)) {
            return false;
        }
        String[] octets = parts[0].split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean validIpv6(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length > 2 || (parts.length == 2 && !validPrefix(parts[1], 128))) {
            return false;
        }
        String address = parts[0];
        if (!address.matches("[0-9a-fA-F:]+") || !address.contains(":")) {
            return false;
        }
        int doubleColons = address.split("::", -1).length - 1;
        if (doubleColons > 1) {
            return false;
        }
        String[] groups = address.split(":", -1);
        int nonEmpty = 0;
        for (String group : groups) {
            if (group.length() > 4) {
                return false;
            }
            if (!group.isEmpty()) {
                nonEmpty++;
            }
        }
        return doubleColons == 1 ? nonEmpty < 8 : groups.length == 8;
    }

    private static boolean validPrefix(String prefix, int max) {
        return prefix.matches("\\d{1,3}") && Integer.parseInt(prefix) <= max;
    }

    private static String fingerprint(String inboundPolicy, String outboundPolicy, List<FirewallRule> inbound,
                                      List<FirewallRule> outbound) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((inboundPolicy + "|" + outboundPolicy + "|" + inbound + "|" + outbound)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
