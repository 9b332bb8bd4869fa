package dev.ferry.sandbox.world;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/** Identifiers in the shapes the clouds use. */
public final class Ids {

    private static final String UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private final Random random = new SecureRandom();

    /** {@code prefix-} and 17 hex digits: {@code ami-0a1b2c3d4e5f67890}. */
    public synchronized String ec2(String prefix) {
        return prefix + "-0" + hex(16);
    }

    public synchronized String hex(int digits) {
        byte[] bytes = new byte[(digits + 1) / 2];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).substring(0, digits);
    }

    /** {@code prefix} and upper-case letters or digits, as IAM unique ids ({@code AROA...}). */
    public synchronized String upper(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) {
            sb.append(UPPER_ALNUM.charAt(random.nextInt(UPPER_ALNUM.length())));
        }
        return sb.toString();
    }

    public synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
