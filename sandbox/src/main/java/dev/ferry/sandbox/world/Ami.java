package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An Amazon Machine Image the account owns (created from an instance, or imported).
 *
 * @param state       {@code pending}, {@code available} or {@code failed}
 * @param availableAt when a pending image becomes available
 * @param productCodes Marketplace product codes (such images cannot be exported)
 */
public record Ami(
        String id,
        String name,
        String description,
        String state,
        Instant creationDate,
        Instant availableAt,
        String sourceInstanceId,
        String architecture,
        String platformDetails,
        String rootDeviceName,
        List<BlockDevice> blockDevices,
        List<String> productCodes,
        String ownerId,
        boolean imported,
        Map<String, String> tags) {

    public Ami {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(state, "state is null");
        requireNonNull(creationDate, "creationDate is null");
        requireNonNull(architecture, "architecture is null");
        requireNonNull(platformDetails, "platformDetails is null");
        requireNonNull(rootDeviceName, "rootDeviceName is null");
        blockDevices = List.copyOf(blockDevices);
        productCodes = List.copyOf(productCodes);
        requireNonNull(ownerId, "ownerId is null");
        tags = Tags.copy(tags);
    }

    public Ami withState(String newState) {
        return new Ami(id, name, description, newState, creationDate, availableAt, sourceInstanceId, architecture,
                platformDetails, rootDeviceName, blockDevices, productCodes, ownerId, imported, tags);
    }

    public Ami withTags(Map<String, String> newTags) {
        return new Ami(id, name, description, state, creationDate, availableAt, sourceInstanceId, architecture,
                platformDetails, rootDeviceName, blockDevices, productCodes, ownerId, imported, newTags);
    }

    public BlockDevice rootDevice() {
        return blockDevices.stream().filter(d -> d.deviceName().equals(rootDeviceName)).findFirst()
                .orElse(blockDevices.get(0));
    }
}
