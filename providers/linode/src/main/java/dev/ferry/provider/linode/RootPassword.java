package dev.ferry.provider.linode;

import dev.ferry.engine.spec.SectionKind.Refusal;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The checks Linode runs on a new Linode's {@code root_pass}, made before anything is made so a weak password
 * fails the plan, or the apply before its first step, rather than the create after the whole export: 7–128
 * characters, and a strength check in the spirit of the API's (which scores passwords with zxcvbn): not a
 * common password or a keyboard run, not a few characters repeated, and enough variety for its length. The
 * sandbox's Linode judges passwords by the same rules (its {@code LinodeValidation}), and a test holds the two
 * to the same verdicts. Characters are counted as Unicode code points, as the API counts them. Messages never
 * show the password.
 */
final class RootPassword {

    static final int MIN = 7;
    static final int MAX = 128;

    private static final Set<String> COMMON = Set.of("password", "123456", "12345678", "123456789", "1234567890",
            "qwerty", "qwertyuiop", "letmein", "welcome", "admin", "administrator", "iloveyou", "monkey", "dragon",
            "sunshine", "princess", "football", "baseball", "abc123", "passw0rd", "p@ssw0rd", "p@ssword", "changeme",
            "trustno1", "root", "toor", "linode", "master", "secret", "hunter2", "shadow", "superman");
    private static final String RUNS = "abcdefghijklmnopqrstuvwxyz 01234567890 qwertyuiopasdfghjklzxcvbnm 1qaz2wsx";
    private static final String HINT = "choose one of at least 12 characters mixing upper and lower case, digits and symbols,"
            + " not a common word or a keyboard run (a password manager's 20 random characters pass)";

    private RootPassword() {
    }

    /** Why Linode would refuse {@code password}, and what to do; empty when it should pass. */
    static Optional<Refusal> refusal(String password) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN || length > MAX) {
            return Optional.of(new Refusal("the root password is " + length + " characters long; Linode requires " + MIN + "–" + MAX,
                    length > MAX ? "choose one of at most " + MAX + " characters" : HINT));
        }
        if (!strongEnough(password)) {
            return Optional.of(new Refusal("the root password would fail Linode's strength check (\"Password does not meet strength"
                    + " requirement\")", HINT));
        }
        return Optional.empty();
    }

    /** {@link #refusal} as one sentence, for the steps that check again. */
    static Optional<String> problem(String password) {
        return refusal(password).map(refusal -> refusal.problem() + "; " + refusal.hint());
    }

    static boolean strongEnough(String password) {
        String lower = password.toLowerCase(Locale.ROOT);
        String stem = lower.replaceAll("[0-9!@#$%^&*.?_-]+$", "");
        if (COMMON.contains(lower) || COMMON.contains(stem)) {
            return false;
        }
        if (password.codePoints().distinct().count() <= 3) {
            return false;
        }
        if (RUNS.contains(lower) || new StringBuilder(RUNS).reverse().toString().contains(lower)) {
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
}
