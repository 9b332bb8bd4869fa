package dev.ferry.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.transfer.RangedByteSource;
import java.util.Optional;

/** What a provider can see and do while it creates, updates, deletes or polls one resource. */
public interface ApplyContext {

    Identity identity();

    /** The planned arguments, every reference resolved. */
    Attributes arguments();

    /** What state recorded before this step (for update, delete, and resuming). */
    Optional<PriorState> prior();

    /** Resolves the secret argument {@code name} now; its value must go nowhere but the cloud. */
    Secret secret(String name);

    /** Shows what the step is doing ("converting", "uploading"). */
    void progress(String status);

    /** Shows what the step is doing and how far along it is (0–100). */
    void progress(String status, double percent);

    /** Reports bytes moved by a transfer this step runs. */
    void transferred(String status, long bytes, long totalBytes);

    /** Opens a disk image another provider produced (a {@code DiskImage} JSON), for reading. */
    RangedByteSource openDiskImage(JsonNode diskImage);

    /**
     * Records {@code operation} in state now, before a long blocking step (an upload), so that a
     * crash during that step is resumed from it.
     */
    void checkpoint(Operation operation);

    /** True once the user asked to stop (Ctrl-C): return at the next safe point. */
    boolean cancelled();
}
