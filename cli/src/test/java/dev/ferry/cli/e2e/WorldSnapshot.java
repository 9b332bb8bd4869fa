package dev.ferry.cli.e2e;

import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.IamRole;
import dev.ferry.sandbox.world.LaunchTemplate;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.Snapshot;
import dev.ferry.sandbox.world.Volume;
import dev.ferry.sandbox.world.WorldView;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The ids of everything in the sandbox's clouds that a journey could create or remove, to compare the
 * world before an apply with the world after a destroy.
 */
record WorldSnapshot(Set<String> ec2Instances, Set<String> volumes, Set<String> amis, Set<String> snapshots,
                     Set<String> buckets, Set<String> objects, Set<String> roles, Set<String> linodeImages,
                     Set<String> linodeInstances, Set<String> firewalls, Set<String> launchTemplates,
                     Set<String> linodeVolumes) {

    WorldSnapshot {
        ec2Instances = Set.copyOf(ec2Instances);
        volumes = Set.copyOf(volumes);
        amis = Set.copyOf(amis);
        snapshots = Set.copyOf(snapshots);
        buckets = Set.copyOf(buckets);
        objects = Set.copyOf(objects);
        roles = Set.copyOf(roles);
        linodeImages = Set.copyOf(linodeImages);
        linodeInstances = Set.copyOf(linodeInstances);
        firewalls = Set.copyOf(firewalls);
        launchTemplates = Set.copyOf(launchTemplates);
        linodeVolumes = Set.copyOf(linodeVolumes);
    }

    static WorldSnapshot of(WorldView world) {
        Set<String> objects = new TreeSet<>();
        for (Bucket bucket : world.s3().buckets()) {
            world.s3().objects(bucket.name()).forEach(o -> objects.add("s3://" + o.bucket() + "/" + o.key()));
        }
        return new WorldSnapshot(
                ids(world.ec2().instances(), Ec2Instance::id),
                ids(world.ec2().volumes(), Volume::id),
                ids(world.ec2().amis(), Ami::id),
                ids(world.ec2().snapshots(), Snapshot::id),
                ids(world.s3().buckets(), Bucket::name),
                objects,
                ids(world.roles(), IamRole::name),
                // failed uploads stay in the sandbox's books but the API no longer shows them
                world.linode().images().stream().filter(i -> !i.status().equals("failed")).map(LinodeImage::id)
                        .collect(Collectors.toSet()),
                ids(world.linode().instances(), i -> Long.toString(i.id())),
                ids(world.linode().firewalls(), f -> Long.toString(f.id())),
                ids(world.ec2().launchTemplates(), LaunchTemplate::id),
                ids(world.linode().volumes(), v -> Long.toString(v.id())));

    }

    private static <T> Set<String> ids(java.util.List<T> things, Function<T, String> id) {
        return things.stream().map(id).collect(Collectors.toCollection(TreeSet::new));
    }
}
