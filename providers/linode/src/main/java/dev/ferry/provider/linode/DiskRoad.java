package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.provider.linode.ssh.EphemeralKey;
import dev.ferry.provider.linode.ssh.HelperShell;
import dev.ferry.provider.linode.ssh.HostKeyPin;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;

/**
 * What the disk road needs besides the API: the transfer that gzips each chunk, how large a chunk is, where the
 * helper's SSH server answers ({@code <ipv4>:22}, or {@code FERRY_LINODE_SSH_ENDPOINT} for the sandbox's
 * stand-in), how long a booting helper may take to accept SSH, and the helpers themselves — each with a key, a
 * host-key pin and a root password of its own, kept in memory only.
 */
final class DiskRoad {

    static final String ENDPOINT_VARIABLE = "FERRY_LINODE_SSH_ENDPOINT";
    static final long DEFAULT_CHUNK_BYTES = 32L * 1024 * 1024;

    private static final String PASSWORD_CHARACTERS =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-.:=@^_~";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ImageTransfer transfer;
    private final Optional<HelperShell.Endpoint> override;
    private final long chunkBytes;
    private final Duration sshWithin;
    private final Duration sshRetryPause;

    DiskRoad(ImageTransfer transfer, Optional<HelperShell.Endpoint> override, long chunkBytes, Duration sshWithin,
             Duration sshRetryPause) {
        this.transfer = requireNonNull(transfer, "transfer is null");
        this.override = requireNonNull(override, "override is null");
        if (chunkBytes < 1024 * 1024 || chunkBytes % 512 != 0) {
            throw new IllegalArgumentException("a chunk is at least 1 MiB and a multiple of 512 bytes, not " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
        this.sshWithin = requireNonNull(sshWithin, "sshWithin is null");
        this.sshRetryPause = requireNonNull(sshRetryPause, "sshRetryPause is null");
    }

    ImageTransfer transfer() {
        return transfer;
    }

    long chunkBytes() {
        return chunkBytes;
    }

    HelperShell.Endpoint endpoint(String publicAddress) {
        return override.orElseGet(() -> new HelperShell.Endpoint(publicAddress, 22));
    }

    Helper newHelper() {
        return new Helper(EphemeralKey.generate(), new HostKeyPin(), password());
    }

    private static String password() {
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            password.append(PASSWORD_CHARACTERS.charAt(RANDOM.nextInt(PASSWORD_CHARACTERS.length())));
        }
        return password.toString();
    }

    /** One helper: its key and root password (never shown, stored or logged) and its pinned host key. */
    final class Helper {
        private final EphemeralKey key;
        private final HostKeyPin pin;
        private final String rootPass;

        private Helper(EphemeralKey key, HostKeyPin pin, String rootPass) {
            this.key = key;
            this.pin = pin;
            this.rootPass = rootPass;
        }

        /** {@code POST …/disks}: the helper's disk from a stock image, reachable with this helper's key only. */
        ObjectNode diskBody(String image, long sizeMb) {
            ObjectNode body = Args.object();
            body.put("label", LinodeMachine.HELPER_LABEL);
            body.put("image", image);
            body.put("size", sizeMb);
            body.put("root_pass", rootPass);
            body.putArray("authorized_keys").add(key.authorizedKey());
            return body;
        }

        /**
         * {@code POST …/configs}: the helper boots its own disk ({@code sda}) with the raw disk as {@code sdb} and the
         * Block Storage volumes to write, attached to the Linode, from {@code sdc} on.
         */
        ObjectNode configBody(long helperDisk, long rawDisk, java.util.List<Long> volumes) {
            ObjectNode body = Args.object();
            body.put("label", LinodeMachine.HELPER_LABEL);
            body.put("kernel", "linode/grub2");
            body.put("root_device", "/dev/sda");
            ObjectNode devices = body.putObject("devices");
            devices.putObject("sda").put("disk_id", helperDisk);
            devices.putObject("sdb").put("disk_id", rawDisk);
            for (int i = 0; i < volumes.size(); i++) {
                devices.putObject(VolumesResource.slot('c', i)).put("volume_id", volumes.get(i));
            }
            return body;
        }

        HelperShell connect(HelperShell.Endpoint endpoint) throws IOException {
            return HelperShell.connect(endpoint, key, pin, sshWithin, sshRetryPause);
        }

        HostKeyPin pin() {
            return pin;
        }

        @Override
        public String toString() {
            return "Helper[" + key + "]";
        }
    }
}
