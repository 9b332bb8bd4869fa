package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.transfer.RangedByteSource;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ebs.EbsClient;

/** Opens disk images of kind {@value SnapshotReadResource#KIND}: an EBS snapshot read with the EBS direct APIs. */
public final class SnapshotOpener implements ArtifactOpener {

    private final Supplier<EbsClient> ebs;
    private final String region;
    private final SnapshotBlockSource.Tuning tuning;

    public SnapshotOpener(Supplier<EbsClient> ebs, String region, SnapshotBlockSource.Tuning tuning) {
        this.ebs = requireNonNull(ebs, "ebs is null");
        this.region = requireNonNull(region, "region is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
    }

    @Override
    public String kind() {
        return SnapshotReadResource.KIND;
    }

    @Override
    public RangedByteSource open(DiskImage image) {
        JsonNode location = image.location();
        String snapshotId = location.path("snapshot_id").asText("");
        if (snapshotId.isEmpty()) {
            throw new FerryException("the disk image " + image.description() + " names no snapshot");
        }
        String in = location.path("region").asText(region);
        if (!in.equals(region)) {
            throw new FerryException("the snapshot " + snapshotId + " is in " + in + ", but the AWS provider is connected to "
                    + region);
        }
        return new SnapshotBlockSource(ebs.get(), snapshotId, image.sizeBytes(), tuning);
    }
}
