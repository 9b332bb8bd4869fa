package dev.ferry.provider.aws.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;

/** AMIs the account owns: looking them up in batches, describing them as outputs, and removing them with their snapshots. */
public final class Images {

    private final AwsClients clients;
    private final AwsCalls calls;

    public Images(AwsClients clients, AwsCalls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    /** The account's images among {@code ids}, by id (absent ones are gone); a filter, so a missing id is no error. */
    public Map<String, Image> describe(Collection<String> ids) {
        Map<String, Image> images = new LinkedHashMap<>();
        for (List<String> chunk : Ec2Units.chunks(ids, 200)) {
            calls.run("EC2 DescribeImages", () -> clients.ec2().describeImagesPaginator(r -> r.owners("self")
                            .filters(Ec2Tags.filter("image-id", chunk)))
                    .forEach(page -> page.images().forEach(image -> images.put(image.imageId(), image))));
        }
        return images;
    }

    public Optional<Image> describe(String id) {
        return Optional.ofNullable(describe(List.of(id)).get(id));
    }

    /** The image tagged with {@code token} (the incarnation that made it), if any. */
    public Optional<Image> findByToken(String token) {
        List<Image> found = new ArrayList<>();
        calls.run("EC2 DescribeImages", () -> clients.ec2().describeImagesPaginator(r -> r.owners("self")
                        .filters(Ec2Tags.filter("tag:" + dev.ferry.engine.resource.Identity.TOKEN_TAG, token)))
                .forEach(page -> found.addAll(page.images())));
        return found.stream().filter(image -> !"deregistered".equals(image.stateAsString())).findFirst();
    }

    static List<String> snapshotIds(Image image) {
        List<String> ids = new ArrayList<>();
        for (BlockDeviceMapping mapping : image.blockDeviceMappings()) {
            if (mapping.ebs() != null && mapping.ebs().snapshotId() != null) {
                ids.add(mapping.ebs().snapshotId());
            }
        }
        return ids;
    }

    static Optional<BlockDeviceMapping> rootMapping(Image image) {
        return image.blockDeviceMappings().stream().filter(m -> m.deviceName() != null && m.deviceName().equals(image.rootDeviceName())
                && m.ebs() != null).findFirst();
    }

    /** The percent done of an image still pending: the mean progress of its snapshots. */
    public double progress(Image image) {
        List<String> snapshots = snapshotIds(image);
        if (snapshots.isEmpty()) {
            return 0;
        }
        List<Snapshot> described = new ArrayList<>();
        calls.run("EC2 DescribeSnapshots", () -> clients.ec2().describeSnapshotsPaginator(r -> r.ownerIds("self")
                        .filters(Ec2Tags.filter("snapshot-id", snapshots)))
                .forEach(page -> described.addAll(page.snapshots())));
        if (described.isEmpty()) {
            return 0;
        }
        double total = 0;
        for (Snapshot snapshot : described) {
            String progress = Optional.ofNullable(snapshot.progress()).orElse("0%").replace("%", "").strip();
            try {
                total += progress.isEmpty() ? 0 : Double.parseDouble(progress);
            } catch (NumberFormatException e) {
                // an unreadable progress counts as not started
            }
        }
        return total / described.size();
    }

    /** An image's outputs: id, name, state, snapshots, size of the root device. */
    public static ObjectNode outputs(Image image) {
        ObjectNode outputs = Json.object();
        outputs.put("id", image.imageId());
        outputs.put("image_id", image.imageId());
        outputs.put("name", image.name());
        outputs.put("state", image.stateAsString());
        outputs.put("architecture", image.architectureAsString());
        outputs.put("root_device", image.rootDeviceName());
        Optional.ofNullable(image.sourceInstanceId()).ifPresent(id -> outputs.put("source_instance", id));
        ArrayNode snapshots = outputs.putArray("snapshot_ids");
        snapshotIds(image).forEach(snapshots::add);
        rootMapping(image).ifPresent(root -> {
            outputs.put("root_snapshot_id", root.ebs().snapshotId());
            if (root.ebs().volumeSize() != null) {
                outputs.put("size_bytes", root.ebs().volumeSize() * Ec2Units.GIB);
            }
        });
        return outputs;
    }

    /**
     * Deregisters {@code imageId} and deletes its snapshots (all of them were made for it); an image or
     * snapshot already gone is fine. Returns the snapshots deleted.
     */
    public List<String> remove(String imageId, List<String> knownSnapshots) {
        Optional<Image> image = describe(imageId);
        List<String> snapshots = new ArrayList<>(image.map(Images::snapshotIds).orElse(knownSnapshots));
        if (image.isPresent()) {
            try {
                calls.run("EC2 DeregisterImage " + imageId, () -> clients.ec2().deregisterImage(r -> r.imageId(imageId)));
            } catch (dev.ferry.engine.FerryException e) {
                if (!AwsCalls.hasCode(e.getCause(), "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")) {
                    throw e;
                }
            }
        }
        List<String> deleted = new ArrayList<>();
        for (String snapshot : snapshots) {
            try {
                calls.run("EC2 DeleteSnapshot " + snapshot, () -> clients.ec2().deleteSnapshot(r -> r.snapshotId(snapshot)));
                deleted.add(snapshot);
            } catch (dev.ferry.engine.FerryException e) {
                if (!AwsCalls.hasCode(e.getCause(), "InvalidSnapshot.NotFound")) {
                    throw e;
                }
            }
        }
        return deleted;
    }
}
