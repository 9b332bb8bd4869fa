package dev.ferry.provider.linode;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Labels Linode accepts. A Linode's or a Cloud Firewall's label starts with a letter and holds letters,
 * digits, {@code -}, {@code _} and {@code .}, never two of those in a row (the OpenAPI pattern
 * {@code ^[a-zA-Z]((?!--|__|\.\.)[a-zA-Z0-9-_.])+$}); ferry also ends labels with a letter or digit, as the
 * API's documentation asks. Linodes take 3–64 characters, firewalls and their rules 3–32.
 */
final class LinodeLabels {

    static final int INSTANCE_MAX = 64;
    static final int FIREWALL_MAX = 32;
    static final int RULE_MAX = 32;
    static final int IMAGE_MAX = 50;
    static final int MIN = 3;

    private static final Pattern API_LABEL = Pattern.compile("^[a-zA-Z]((?!--|__|\\.\\.)[a-zA-Z0-9-_.])+$");
    private static final Pattern SEPARATOR_RUN = Pattern.compile("[-_.]{2,}");

    private LinodeLabels() {
    }

    /** Why {@code label} is not a valid Linode label of {@code min}–{@code max} characters, or empty when it is. */
    static Optional<String> problem(String label, int max) {
        if (label.length() < MIN || label.length() > max) {
            return Optional.of("it is " + label.length() + " characters long; Linode takes " + MIN + "–" + max);
        }
        if (!isAsciiLetter(label.charAt(0))) {
            return Optional.of("it must start with a letter (a–z or A–Z)");
        }
        if (!API_LABEL.matcher(label).matches()) {
            return Optional.of("it may hold only letters, digits, '-', '_' and '.', never two of '-', '_', '.' in a row");
        }
        if (!Character.isLetterOrDigit(label.charAt(label.length() - 1))) {
            return Optional.of("it must end with a letter or a digit");
        }
        return Optional.empty();
    }

    /**
     * A valid label made from {@code text}: other characters become '-', runs of separators shrink to one,
     * it starts with a letter (else {@code prefix} is put in front) and is padded with {@code padding} when
     * too short, and cut to {@code max}.
     */
    static String derive(String text, String prefix, String padding, int max) {
        StringBuilder cleaned = new StringBuilder();
        for (char c : text.toCharArray()) {
            boolean ascii = c < 128;
            cleaned.append(ascii && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.') ? c : '-');
        }
        String label = SEPARATOR_RUN.matcher(cleaned).replaceAll(m -> m.group().substring(0, 1));
        label = trimSeparators(label);
        if (label.isEmpty() || !isAsciiLetter(label.charAt(0))) {
            label = trimSeparators(prefix) + (label.isEmpty() ? "" : "-" + label);
        }
        if (label.length() < MIN) {
            label = label + "-" + trimSeparators(padding);
        }
        return cut(label, max);
    }

    /** {@code label} cut to {@code max} characters, not ending with a separator. */
    static String cut(String label, int max) {
        String cut = label.length() > max ? label.substring(0, max) : label;
        return trimSeparators(cut);
    }

    /** The Linode's label: the file's, or one made from the migration name. */
    static String instance(String migration) {
        return derive(migration, "linode", "linode", INSTANCE_MAX);
    }

    static String firewall(String migration) {
        return derive("ferry-" + migration, "ferry", "firewall", FIREWALL_MAX);
    }

    static String image(String instanceLabel) {
        return derive(instanceLabel, "image", "image", IMAGE_MAX);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String trimSeparators(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && "-_.".indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && "-_.".indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return text.substring(start, end);
    }
}
