package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Who a cloud-side object belongs to: the address that made it, in the state history
 * ({@code lineage}) it was made for, and which incarnation it is ({@code generation} grows when a
 * resource is replaced). Providers tag what they create with it, so that an object whose creation
 * was sent but never recorded is found again instead of created twice, and derive idempotency
 * tokens from it.
 */
public record Identity(ResourceAddress address, String lineage, int generation) {

    /** Tag key holding the address, for clouds with key/value tags. */
    public static final String ADDRESS_TAG = "ferry:address";
    /** Tag key holding the lineage. */
    public static final String LINEAGE_TAG = "ferry:lineage";
    /** Tag key holding {@link #token()}: one tag that names this incarnation exactly. */
    public static final String TOKEN_TAG = "ferry:id";

    public Identity {
        requireNonNull(address, "address is null");
        requireNonNull(lineage, "lineage is null");
        if (generation < 1) {
            throw new IllegalArgumentException("generation starts at 1");
        }
    }

    /**
     * A short, stable token for this incarnation (26 lowercase base-32 characters), usable as an
     * AWS {@code ClientToken} or a tag: the same resource in the same state gets the same token
     * on every retry, a replacement gets a new one.
     */
    public String token() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((lineage + "/" + address + "/" + generation).getBytes(StandardCharsets.UTF_8));
            return base32(digest).substring(0, 26);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] bytes) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder text = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                text.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        return text.toString().toLowerCase(Locale.ROOT);
    }
}
