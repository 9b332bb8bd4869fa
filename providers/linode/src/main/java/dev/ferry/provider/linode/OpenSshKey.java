package dev.ferry.provider.linode;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code authorized_keys} entry read the way OpenSSH (and so Linode, when it installs the key) reads it:
 * {@code TYPE BASE64 [COMMENT]}, the base64 a blob of SSH wire-format fields (RFC 4253 §6.6, RFC 5656 §3.1,
 * RFC 8709, OpenSSH's PROTOCOL.u2f) that starts with the same key type and holds exactly the fields of that
 * type, each of its size. A key that fails here would fail the Linode create, after the whole export.
 */
final class OpenSshKey {

    /** The smallest RSA modulus OpenSSH accepts (SSH_RSA_MINIMUM_MODULUS_SIZE). */
    static final int RSA_MIN_BITS = 1024;

    private static final int ED25519_KEY_BYTES = 32;
    /** Curve name and the length of its uncompressed point (0x04, X, Y). */
    private static final Map<String, Integer> CURVES = Map.of("nistp256", 65, "nistp384", 97, "nistp521", 133);

    private OpenSshKey() {
    }

    /** Why {@code line} is not a well-formed public key, or empty when it is one. */
    static Optional<String> problem(String line) {
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2 || parts[0].isEmpty()) {
            return Optional.of("it needs a key type and the key data (base64), such as 'ssh-ed25519 AAAAC3Nza... you@host'");
        }
        String type = parts[0];
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            return Optional.of("the key data is not valid base64 (" + e.getMessage() + "); it was probably cut or mistyped");
        }
        try {
            Fields fields = new Fields(ByteBuffer.wrap(blob));
            String inside = fields.text("the key type");
            if (!inside.equals(type)) {
                return Optional.of("the line says " + type + ", but its key data says " + printable(inside));
            }
            Optional<String> problem = body(type, fields);
            if (problem.isEmpty() && fields.remaining() > 0) {
                return Optional.of("the key data has " + fields.remaining() + " bytes after the " + type + " key");
            }
            return problem;
        } catch (Truncated e) {
            return Optional.of("the key data ends inside " + e.getMessage() + "; it was probably cut when copied");
        }
    }

    private static Optional<String> body(String type, Fields fields) {
        switch (type) {
            case "ssh-ed25519":
                return ed25519(fields);
            case "sk-ssh-ed25519@openssh.com":
                return ed25519(fields).or(() -> application(fields));
            case "ssh-rsa":
                return rsa(fields);
            case "ssh-dss":
                for (String name : new String[] {"p", "q", "g", "y"}) {
                    if (fields.mpint("the DSA " + name).signum() <= 0) {
                        return Optional.of("its DSA " + name + " is not a positive number");
                    }
                }
                return Optional.empty();
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
                return ecdsa(type.substring("ecdsa-sha2-".length()), fields);
            case "sk-ecdsa-sha2-nistp256@openssh.com":
                return ecdsa("nistp256", fields).or(() -> application(fields));
            default:
                return Optional.of("'" + printable(type) + "' is not a key type Linode accepts (ssh-ed25519, ssh-rsa,"
                        + " ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com, ssh-dss)");
        }
    }

    private static Optional<String> ed25519(Fields fields) {
        int length = fields.bytes("the Ed25519 key").length;
        return length == ED25519_KEY_BYTES ? Optional.empty()
                : Optional.of("its Ed25519 key is " + length + " bytes long, not " + ED25519_KEY_BYTES);
    }

    private static Optional<String> rsa(Fields fields) {
        BigInteger exponent = fields.mpint("the RSA exponent");
        BigInteger modulus = fields.mpint("the RSA modulus");
        if (exponent.signum() <= 0 || !exponent.testBit(0)) {
            return Optional.of("its RSA exponent is not a positive odd number");
        }
        if (modulus.bitLength() < RSA_MIN_BITS) {
            return Optional.of("its RSA modulus has " + modulus.bitLength() + " bits; OpenSSH refuses RSA keys under "
                    + RSA_MIN_BITS + " bits");
        }
        return Optional.empty();
    }

    private static Optional<String> ecdsa(String curve, Fields fields) {
        String named = fields.text("the curve name");
        if (!named.equals(curve)) {
            return Optional.of("its key data names the curve " + printable(named) + ", not " + curve);
        }
        byte[] point = fields.bytes("the curve point");
        int expected = CURVES.get(curve);
        if (point.length != expected || point[0] != 4) {
            return Optional.of("its " + curve + " point is " + point.length + " bytes" + (point.length > 0 && point[0] != 4
                    ? " and not in uncompressed form" : "") + "; an uncompressed " + curve + " point is " + expected + " bytes");
        }
        return Optional.empty();
    }

    /** Security-key types end with the FIDO application, {@code ssh:} for keys made by ssh-keygen. */
    private static Optional<String> application(Fields fields) {
        return fields.text("the security key's application").isEmpty()
                ? Optional.of("its security key application is empty") : Optional.empty();
    }

    private static String printable(String text) {
        String shown = text.codePoints().allMatch(c -> c >= 0x20 && c < 0x7f) ? text : "unreadable";
        return shown.isEmpty() ? "nameless" : shown.length() > 40 ? shown.substring(0, 40) + "…" : shown;
    }

    /** SSH wire fields: each a 32-bit big-endian length, then that many bytes. */
    private static final class Fields {
        private final ByteBuffer buffer;

        Fields(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        byte[] bytes(String what) {
            if (buffer.remaining() < Integer.BYTES) {
                throw new Truncated(what);
            }
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new Truncated(what);
            }
            byte[] value = new byte[length];
            buffer.get(value);
            return value;
        }

        String text(String what) {
            return new String(bytes(what), StandardCharsets.US_ASCII);
        }

        BigInteger mpint(String what) {
            byte[] value = bytes(what);
            return value.length == 0 ? BigInteger.ZERO : new BigInteger(value);
        }

        int remaining() {
            return buffer.remaining();
        }
    }

    /** The blob ends before the field named in the message. */
    private static final class Truncated extends RuntimeException {
        Truncated(String field) {
            super(field, null, false, false);
        }
    }
}
