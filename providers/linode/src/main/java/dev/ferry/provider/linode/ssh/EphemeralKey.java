package dev.ferry.provider.linode.ssh;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * The SSH key of one run: an ECDSA P-256 pair made in memory when the helper is built, its public half put in the
 * helper disk's {@code authorized_keys}, its private half never written to state, a file or a log. A run that
 * dies loses it; the next run builds the helper again with a key of its own.
 */
public final class EphemeralKey {

    private final KeyPair pair;

    private EphemeralKey(KeyPair pair) {
        this.pair = pair;
    }

    public static EphemeralKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new EphemeralKey(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java cannot make ECDSA P-256 keys: " + e.getMessage(), e);
        }
    }

    /** The OpenSSH {@code authorized_keys} line: {@code ecdsa-sha2-nistp256 AAAA… ferry-helper}. */
    public String authorizedKey() {
        return PublicKeyEntry.toString(pair.getPublic()) + " ferry-helper";
    }

    KeyPair pair() {
        return pair;
    }

    @Override
    public String toString() {
        return "EphemeralKey[ecdsa-sha2-nistp256]";
    }
}
