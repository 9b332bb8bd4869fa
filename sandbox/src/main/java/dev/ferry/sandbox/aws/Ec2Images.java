package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.PublicImage;
import dev.ferry.sandbox.world.Snapshot;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.ferry.sandbox.aws.Ec2Ids.byIds;
import static dev.ferry.sandbox.aws.Ec2Ids.checkIds;
import static dev.ferry.sandbox.aws.Ec2Tags.tagSpecifications;
import static java.util.Objects.requireNonNull;

/** EC2 images and snapshots: create, describe, deregister, delete. */
final class Ec2Images {

    private static final Pattern AMI_NAME = Pattern.compile("[a-zA-Z0-9()\\[\\] ./\\-'@_]{3,128}");

    private final World world;

    Ec2Images(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    String createImage(QueryParams params, String requestId) {
        String instanceId = params.require("InstanceId");
        String name = params.require("Name");
        checkIds("i", "InvalidInstanceID.Malformed", List.of(instanceId));
        if (!AMI_NAME.matcher(name).matches()) {
            throw AwsException.badRequest("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters "
                    + "long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
        }
        String description = params.get("Description");
        if (description != null && description.length() > 255) {
            throw AwsException.invalidValue("Description", description, "It must be at most 255 characters.");
        }
        Map<String, Map<String, String>> tagSpecs = tagSpecifications(params, Set.of("image", "snapshot"));
        Ami ami = world.write(w -> {
            Ec2Instance instance = byIds(w.ec2().instances(), List.of(instanceId), "InvalidInstanceID.NotFound",
                    "instance ID").get(0);
            if (instance.state() == InstanceState.TERMINATED || instance.state() == InstanceState.SHUTTING_DOWN
                    || instance.state() == InstanceState.PENDING) {
                throw AwsException.badRequest("IncorrectInstanceState", "The instance '" + instanceId
                        + "' is not in a state from which it can be imaged.");
            }
            w.ec2().amis().values().stream().filter(a -> a.name().equals(name)).findFirst().ifPresent(a -> {
                throw AwsException.badRequest("InvalidAMIName.Duplicate", "AMI name " + name
                        + " is already in use by AMI " + a.id());
            });
            return w.ec2().createImage(instance, name, description, tagSpecs.getOrDefault("image", Map.of()),
                    tagSpecs.getOrDefault("snapshot", Map.of()));
        });
        return Ec2Xml.response("CreateImage", requestId).leaf("imageId", ami.id()).end().toString();
    }

    String describeImages(QueryParams params, String requestId) {
        List<String> ids = params.list("ImageId");
        List<String> owners = params.list("Owner");
        if (!ids.isEmpty() && params.has("MaxResults")) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "The parameter imageIds cannot be used with the parameter maxResults");
        }
        for (String id : ids) {
            if (!Pattern.matches("ami-([0-9a-f]{8}|[0-9a-f]{17})", id)) {
                throw AwsException.badRequest("InvalidAMIID.Malformed", "Invalid id: \"" + id
                        + "\" (expecting \"ami-...\")");
            }
        }
        return world.read(w -> {
            record Row(Ami owned, PublicImage shared) {
                String id() {
                    return owned != null ? owned.id() : shared.id();
                }

                String owner() {
                    return owned != null ? owned.ownerId() : shared.ownerId();
                }

                Map<String, String> tags() {
                    return owned != null ? owned.tags() : Map.of();
                }
            }
            List<Row> rows = new ArrayList<>();
            w.ec2().amis().values().forEach(a -> rows.add(new Row(a, null)));
            w.ec2().publicImages().values().forEach(p -> rows.add(new Row(null, p)));
            List<Row> selected = rows;
            if (!ids.isEmpty()) {
                List<String> missing = ids.stream().filter(i -> rows.stream().noneMatch(r -> r.id().equals(i)))
                        .toList();
                if (!missing.isEmpty()) {
                    throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + String.join(", ",
                            missing) + "]' does not exist");
                }
                selected = rows.stream().filter(r -> ids.contains(r.id())).toList();
            }
            if (!owners.isEmpty()) {
                selected = selected.stream().filter(r -> owners.stream().anyMatch(o ->
                        o.equals(r.owner()) || (o.equals("self") && r.owned() != null)
                                || (o.equals("amazon") && r.owner().equals("137112412989"))
                                || (o.equals("aws-marketplace") && r.owner().equals("679593333241")))).toList();
            }
            Ec2Filters<Row> filters = new Ec2Filters<>(Row::tags)
                    .single("image-id", Row::id)
                    .single("name", r -> r.owned() != null ? r.owned().name() : r.shared().name())
                    .single("state", r -> r.owned() != null ? r.owned().state() : "available")
                    .single("owner-id", Row::owner)
                    .single("architecture", r -> r.owned() != null ? r.owned().architecture()
                            : r.shared().architecture())
                    .single("is-public", r -> r.owned() == null)
                    .single("image-type", r -> "machine")
                    .single("root-device-type", r -> "ebs")
                    .field("product-code", r -> r.owned() != null ? r.owned().productCodes()
                            : r.shared().productCodes())
                    .field("block-device-mapping.snapshot-id", r -> r.owned() == null ? List.of()
                            : r.owned().blockDevices().stream().map(d -> d.snapshotId()).toList());
            List<Row> matching = filters.apply(selected, Ec2Filters.parse(params, "Filter"));
            Page<Row> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeImages");
            XmlWriter xml = Ec2Xml.response("DescribeImages", requestId).start("imagesSet");
            for (Row row : page.items()) {
                if (row.owned() != null) {
                    Ec2Xml.image(xml, row.owned());
                } else {
                    Ec2Xml.publicImage(xml, row.shared());
                }
            }
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    String deregisterImage(QueryParams params, String requestId) {
        String imageId = params.require("ImageId");
        checkIds("ami", "InvalidAMIID.Malformed", List.of(imageId));
        boolean deleteSnapshots = params.bool("DeleteAssociatedSnapshots", false);
        List<String> deleted = world.write(w -> {
            if (!w.ec2().amis().containsKey(imageId)) {
                if (w.ec2().publicImages().containsKey(imageId)) {
                    throw new AwsException(400, "AuthFailure", "Not authorized for image:" + imageId);
                }
                throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + imageId
                        + "]' does not exist");
            }
            return w.ec2().deregisterImage(imageId, deleteSnapshots);
        });
        XmlWriter xml = Ec2Xml.response("DeregisterImage", requestId).leaf("return", true);
        if (deleteSnapshots) {
            xml.start("deleteSnapshotResultSet");
            deleted.forEach(s -> xml.start("item").leaf("snapshotId", s).leaf("returnCode", "success").end());
            xml.end();
        }
        return xml.end().toString();
    }

    String describeSnapshots(QueryParams params, String requestId) {
        List<String> ids = params.list("SnapshotId");
        List<String> owners = params.list("Owner");
        checkIds("snap", "InvalidSnapshotID.Malformed", ids);
        return world.read(w -> {
            List<Snapshot> snapshots = ids.isEmpty() ? List.copyOf(w.ec2().snapshots().values())
                    : byIds(w.ec2().snapshots(), ids, "InvalidSnapshot.NotFound", "snapshot");
            if (!owners.isEmpty()) {
                snapshots = snapshots.stream().filter(s -> owners.contains("self")
                        || owners.contains(s.ownerId())).toList();
            }
            Ec2Filters<Snapshot> filters = new Ec2Filters<>(Snapshot::tags)
                    .single("snapshot-id", Snapshot::id)
                    .single("volume-id", Snapshot::volumeId)
                    .single("status", Snapshot::state)
                    .single("owner-id", Snapshot::ownerId)
                    .single("description", Snapshot::description)
                    .single("encrypted", Snapshot::encrypted)
                    .single("progress", s -> s.progress() + "%")
                    .single("volume-size", Snapshot::volumeSizeGiB);
            List<Snapshot> matching = filters.apply(snapshots, Ec2Filters.parse(params, "Filter"));
            Page<Snapshot> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000,
                    null, "DescribeSnapshots");
            XmlWriter xml = Ec2Xml.response("DescribeSnapshots", requestId).start("snapshotSet");
            page.items().forEach(s -> Ec2Xml.snapshot(xml, s));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    String deleteSnapshot(QueryParams params, String requestId) {
        String snapshotId = params.require("SnapshotId");
        checkIds("snap", "InvalidSnapshotID.Malformed", List.of(snapshotId));
        world.writeAndForget(w -> {
            byIds(w.ec2().snapshots(), List.of(snapshotId), "InvalidSnapshot.NotFound", "snapshot");
            w.ec2().amiUsingSnapshot(snapshotId).ifPresent(a -> {
                throw AwsException.badRequest("InvalidSnapshot.InUse", "The snapshot " + snapshotId
                        + " is currently in use by " + a.id());
            });
            w.ec2().deleteSnapshot(snapshotId);
        });
        return Ec2Xml.response("DeleteSnapshot", requestId).leaf("return", true).end().toString();
    }
}
