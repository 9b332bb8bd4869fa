package dev.ferry.provider.linode.ssh;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Trust on first use, for one helper: the helper's host key is not published anywhere ferry could check it
 * against, so the key seen at the first connection is pinned, and every later connection in this run must show
 * the same one, or it is refused (someone else answered at that address).
 */
public final class HostKeyPin {

    private PublicKey pinned;

    synchronized boolean accept(PublicKey offered) {
        if (pinned == null) {
            pinned = offered;
            return true;
        }
        return KeyUtils.compareKeys(pinned, offered)
                || Arrays.equals(pinned.getEncoded(), offered.getEncoded());
    }

    /** The pinned key's SHA-256 fingerprint, once a connection was made. */
    public synchronized Optional<String> fingerprint() {
        return Optional.ofNullable(pinned).map(KeyUtils::getFingerPrint);
    }
}
