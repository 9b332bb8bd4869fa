package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What tests may see of the sandbox's clouds, one view per service: read-only snapshots of every resource (as of
 * now: operations in flight are brought up to date first), and a few mutators to set up situations such as drift.
 */
public final class WorldView {

    private final World world;
    private final Ec2View ec2;
    private final EbsView ebs;
    private final ConversionsView conversions;
    private final S3View s3;
    private final LinodeView linode;
    private final VcenterView vcenter;

    public WorldView(World world) {
        this.world = requireNonNull(world, "world is null");
        this.ec2 = new Ec2View(world);
        this.ebs = new EbsView(world);
        this.conversions = new ConversionsView(world);
        this.s3 = new S3View(world);
        this.linode = new LinodeView(world);
        this.vcenter = new VcenterView(world);
    }

    /** Instances, volumes, networks, security groups, AMIs, snapshots and launch templates; drift to set up. */
    public Ec2View ec2() {
        return ec2;
    }

    /** Snapshots' blocks as the EBS direct APIs serve them, and their failures to set up. */
    public EbsView ebs() {
        return ebs;
    }

    /** VM Import/Export's tasks and their timeline. */
    public ConversionsView conversions() {
        return conversions;
    }

    public S3View s3() {
        return s3;
    }

    public LinodeView linode() {
        return linode;
    }

    public VcenterView vcenter() {
        return vcenter;
    }

    // ---- IAM (two reads: no view of its own) ----

    public List<IamRole> roles() {
        return world.read(w -> List.copyOf(w.roles().values()));
    }

    public Optional<IamRole> role(String name) {
        return world.read(w -> Optional.ofNullable(w.roles().get(name)));
    }
}
