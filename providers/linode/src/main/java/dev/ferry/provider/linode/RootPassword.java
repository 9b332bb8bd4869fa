package dev.ferry.provider.linode;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The checks Linode runs on a new Linode's {@code root_pass}, made before any call so a weak password fails
 * the plan rather than the create: 7–128 characters, and a strength check in the spirit of the API's (which
 * scores passwords with zxcvbn): not a common password or a keyboard run, not a few characters repeated, and
 * enough variety for its length. Messages never show the password.
 */
final class RootPassword {

    static final int MIN = 7;
    static final int MAX = 128;

    private static final Set<String> COMMON = Set.of("password", "123456", "12345678", "123456789", "1234567890",
            "qwerty", "qwertyuiop", "letmein", "welcome", "admin", "administrator", "iloveyou", "monkey", "dragon",
            "sunshine", "princess", "football", "baseball", "abc123", "passw0rd", "p@ssw0rd", "p@ssword", "changeme",
            "trustno1", "root", "toor", "linode", "master", "secret", "hunter2", "shadow", "superman");
    private static final String RUNS = "abcdefghijklmnopqrstuvwxyz 0123456789 qwertyuiop asdfghjkl zxcvbnm 1qaz2wsx";

    private RootPassword() {
    }

    /** Why Linode would refuse {@code password}, or empty when it should pass. */
    static Optional<String> problem(String password) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN || length > MAX) {
            return Optional.of("the root password is " + length + " characters long; Linode requires " + MIN + "–" + MAX);
        }
        if (!strongEnough(password)) {
            return Optional.of("the root password would fail Linode's strength check (\"Password does not meet strength"
                    + " requirement\"); use at least 12 characters mixing upper and lower case, digits and symbols,"
                    + " not a common word or a keyboard run");
        }
        return Optional.empty();
    }

    static boolean strongEnough(String password) {
        String lower = password.toLowerCase(Locale.ROOT);
        String stem = lower.replaceAll("[0-9!@#$%^&*.?_-]+$", "");
        if (COMMON.contains(lower) || COMMON.contains(stem)) {
            return false;
        }
        if (password.chars().distinct().count() <= 3) {
            return false;
        }
        if (RUNS.contains(lower) || new StringBuilder(RUNS).reverse().toString().contains(lower)) {
            return false;
        }
        int pool = 0;
        if (password.chars().anyMatch(Character::isLowerCase)) {
            pool += 26;
        }
        if (password.chars().anyMatch(Character::isUpperCase)) {
            pool += 26;
        }
        if (password.chars().anyMatch(Character::isDigit)) {
            pool += 10;
        }
        if (password.chars().anyMatch(c -> !Character.isLetterOrDigit(c))) {
            pool += 33;
        }
        double bits = password.length() * (Math.log(Math.max(pool, 2)) / Math.log(2));
        return bits >= 40;
    }
}
