package dev.ferry.sandbox.world;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * VM Import/Export's conversion tasks (image exports, image imports, instance exports): started, cancelled,
 * followed through their phases, and their spans in time for the concurrency limit. The maps are live: use them
 * only inside {@link World#read}/{@link World#write}.
 */
public final class ConversionTasks {

    final Map<String, ExportImageTask> exportImageTasks = new LinkedHashMap<>();
    final Map<String, ImportImageTask> importImageTasks = new LinkedHashMap<>();
    final Map<String, List<Blob>> importDisks = new LinkedHashMap<>();
    final Map<String, InstanceExportTask> instanceExportTasks = new LinkedHashMap<>();
    final List<ConversionTaskSpan> conversionSpans = new ArrayList<>();

    private final String account;
    private final WorldClock clock;
    private final Ids ids;
    private final BlobStore blobs;
    private final DiskImages disks;
    private final DiskFormats formats;
    private final Ec2State ec2;
    private final S3State s3;

    ConversionTasks(String account, WorldClock clock, Ids ids, BlobStore blobs, DiskImages disks,
                    DiskFormats formats, Ec2State ec2, S3State s3) {
        this.account = requireNonNull(account, "account is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.ids = requireNonNull(ids, "ids is null");
        this.blobs = requireNonNull(blobs, "blobs is null");
        this.disks = requireNonNull(disks, "disks is null");
        this.formats = requireNonNull(formats, "formats is null");
        this.ec2 = requireNonNull(ec2, "ec2 is null");
        this.s3 = requireNonNull(s3, "s3 is null");
    }

    public Map<String, ExportImageTask> exportImageTasks() {
        return exportImageTasks;
    }

    public Map<String, ImportImageTask> importImageTasks() {
        return importImageTasks;
    }

    public Map<String, InstanceExportTask> instanceExportTasks() {
        return instanceExportTasks;
    }

    public List<ConversionTaskSpan> conversionSpans() {
        return conversionSpans;
    }

    public int activeConversionTasks() {
        long active = exportImageTasks.values().stream().filter(ExportImageTask::active).count()
                + importImageTasks.values().stream().filter(ImportImageTask::active).count()
                + instanceExportTasks.values().stream().filter(InstanceExportTask::active).count();
        return (int) active;
    }

    /** The most conversion tasks that were ever active at the same instant. */
    public int maxConcurrentConversionTasks() {
        record Edge(Instant at, int delta) {
        }
        List<Edge> edges = new ArrayList<>();
        for (ConversionTaskSpan span : conversionSpans) {
            edges.add(new Edge(span.start(), 1));
            if (span.end() != null) {
                edges.add(new Edge(span.end(), -1));
            }
        }
        // At the same instant an end frees its slot before a start takes one.
        edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::delta));
        int current = 0;
        int max = 0;
        for (Edge edge : edges) {
            current += edge.delta();
            max = Math.max(max, current);
        }
        return max;
    }

    public ExportImageTask startExportImage(Ami ami, String format, String bucket, String prefix, String roleName,
                                     String description, String clientToken, Map<String, String> tags) {
        Instant now = clock.now();
        String id = ids.ec2("export-ami");
        ExportImageTask task = new ExportImageTask(id, ami.id(), format.toLowerCase(Locale.ROOT), bucket,
                prefix == null ? "" : prefix, roleName, description, clientToken, "active", "validating", 0, now,
                now.plus(clock.scaled(World.EXPORT_IMAGE_DURATION)), null, tags);
        exportImageTasks.put(id, task);
        conversionSpans.add(new ConversionTaskSpan(id, "export-image", now, null));
        return task;
    }

    /**
     * Starts an import of the disks {@code raws} (the boot disk first) described by {@code details}; when
     * {@code failure} is set the task fails with it at the end of validation (and {@code raws} is empty).
     *
     * @param platform     {@code Linux} or {@code Windows}
     * @param architecture {@code x86_64} or {@code i386}
     */
    public ImportImageTask startImportImage(String description, String clientToken,
                                     List<ImportImageTask.SnapshotDetail> details, String roleName,
                                     String architecture, String platform, String licenseType, String bootMode,
                                     List<Blob> raws, String failure, Map<String, String> tags) {
        if (details.isEmpty() || (failure == null && raws.size() != details.size())) {
            throw new IllegalArgumentException("one raw disk per snapshot detail");
        }
        Instant now = clock.now();
        Duration total = clock.scaled(World.IMPORT_IMAGE_DURATION);
        String id = ids.ec2("import-ami");
        Instant failAt = failure == null ? null : now.plus(total.multipliedBy(15).dividedBy(100));
        ImportImageTask.SnapshotDetail first = details.get(0);
        ImportImageTask task = new ImportImageTask(id, description, clientToken, first.format(), first.s3Bucket(),
                first.s3Key(), roleName, architecture, platform, licenseType, bootMode, "active", "pending", 0, now,
                now.plus(total), failure, failAt, first.diskImageSize(), null, null, tags, details);
        importImageTasks.put(id, task);
        if (failure == null) {
            importDisks.put(id, List.copyOf(raws));
            raws.forEach(blobs::retain);
        }
        conversionSpans.add(new ConversionTaskSpan(id, "import-image", now, null));
        return task;
    }

    public InstanceExportTask startInstanceExport(Ec2Instance instance, String targetEnvironment, String format,
                                           String container, String bucket, String prefix, String description,
                                           Map<String, String> tags) {
        Instant now = clock.now();
        String id = ids.ec2("export-i");
        String extension = container != null ? container.toLowerCase(Locale.ROOT) : format.toLowerCase(Locale.ROOT);
        String key = (prefix == null ? "" : prefix) + id + "." + extension;
        InstanceExportTask task = new InstanceExportTask(id, instance.id(), targetEnvironment,
                format.toLowerCase(Locale.ROOT), container == null ? null : container.toLowerCase(Locale.ROOT), bucket,
                prefix == null ? "" : prefix, key, description, "active", null, now,
                now.plus(clock.scaled(World.INSTANCE_EXPORT_DURATION)), tags);
        instanceExportTasks.put(id, task);
        conversionSpans.add(new ConversionTaskSpan(id, "instance-export", now, null));
        return task;
    }

    /** Cancels an export image or instance export task; false when it is not active. */
    public boolean cancelExport(String taskId) {
        Instant now = clock.now();
        ExportImageTask image = exportImageTasks.get(taskId);
        if (image != null) {
            if (!image.active()) {
                return false;
            }
            exportImageTasks.put(taskId, image.withProgress("deleted", "Canceled by user", image.progress(), null));
            endSpan(taskId, now);
            return true;
        }
        InstanceExportTask instance = instanceExportTasks.get(taskId);
        if (instance != null) {
            if (!instance.active()) {
                return false;
            }
            instanceExportTasks.put(taskId, instance.withState("cancelled", "Canceled by user"));
            endSpan(taskId, now);
            return true;
        }
        return false;
    }

    void advanceExportImageTasks(Instant now) {
        for (ExportImageTask task : List.copyOf(exportImageTasks.values())) {
            if (!task.active()) {
                continue;
            }
            if (now.isBefore(task.completeAt())) {
                int progress = WorldClock.percent(task.startedAt(), task.completeAt(), now);
                String phase = progress < 10 ? "validating" : progress < 85 ? "converting" : "uploading";
                exportImageTasks.put(task.id(), task.withProgress("active", phase, Math.min(99, progress), null));
                continue;
            }
            Instant at = task.completeAt();
            endSpan(task.id(), at);
            Bucket bucket = s3.buckets.get(task.s3Bucket());
            Ami ami = ec2.amis.get(task.imageId());
            Snapshot root = ami == null ? null : ec2.snapshots.get(ami.rootDevice().snapshotId());
            if (bucket == null || root == null) {
                String why = bucket == null ? "ClientError: The S3 bucket " + task.s3Bucket() + " does not exist"
                        : "ClientError: The image " + task.imageId() + " no longer exists";
                exportImageTasks.put(task.id(), task.withProgress("deleted", why, task.progress(), null));
                continue;
            }
            String key = task.s3Prefix() + task.id() + "." + task.diskImageFormat();
            Blob raw = disks.blob(root.disk());
            Blob written = formats.wrap(raw, task.diskImageFormat(), null, task.id());
            s3.putObject(new S3Object(bucket.name(), key, written.size(), S3State.multipartEtag(task.id(),
                    written.size()), at, "application/octet-stream", Map.of(), Map.of(), written));
            exportImageTasks.put(task.id(), task.withProgress("completed", null, 100, key));
        }
    }

    void advanceImportImageTasks(Instant now) {
        for (ImportImageTask task : List.copyOf(importImageTasks.values())) {
            if (!task.active()) {
                continue;
            }
            if (task.failAt() != null && !now.isBefore(task.failAt())) {
                endSpan(task.id(), task.failAt());
                importImageTasks.put(task.id(), task.withProgress("deleted", task.failureMessage(), task.progress()));
                List<Blob> raws = importDisks.remove(task.id());
                if (raws != null) {
                    raws.forEach(blobs::release);
                }
                continue;
            }
            if (now.isBefore(task.completeAt())) {
                int progress = WorldClock.percent(task.startedAt(), task.completeAt(), now);
                String phase = progress < 5 ? "pending" : progress < 15 ? "validating" : progress < 50 ? "converting"
                        : progress < 70 ? "updating" : progress < 85 ? "booting" : "preparing ami";
                importImageTasks.put(task.id(), task.withProgress("active", phase,
                        Math.max(2, Math.min(99, progress))));
                continue;
            }
            Instant at = task.completeAt();
            endSpan(task.id(), at);
            // The import task held the disks until now; the snapshots hold them from here on.
            List<Blob> raws = importDisks.remove(task.id());
            List<BlockDevice> devices = new ArrayList<>();
            List<ImportImageTask.SnapshotDetail> details = new ArrayList<>();
            for (int i = 0; i < raws.size(); i++) {
                Blob raw = raws.get(i);
                int sizeGiB = (int) Math.max(1, (raw.size() + (1L << 30) - 1) >> 30);
                String snapshotId = ids.ec2("snap");
                String device = i == 0 ? "/dev/sda1" : "/dev/sd" + (char) ('a' + i);
                ec2.snapshots.put(snapshotId, new Snapshot(snapshotId, "vol-ffffffff", sizeGiB, false, null,
                        "completed", 100, task.startedAt(), at, "Created by AWS-VMImport service for " + task.id(),
                        account, DiskSource.blob(raw), Map.of()));
                devices.add(new BlockDevice(device, snapshotId, sizeGiB, "gp2", false, true));
                details.add(task.snapshotDetails().get(i).completed(device, snapshotId));
            }
            String amiId = ids.ec2("ami");
            String architecture = task.architecture() == null ? "x86_64" : task.architecture();
            String platformDetails = "Windows".equalsIgnoreCase(task.platform()) ? "Windows" : "Linux/UNIX";
            ec2.amis.put(amiId, new Ami(amiId, task.id(), task.description() == null ? "AWS-VMImport service: "
                    + task.s3Key() : task.description(), "available", at, at, null, architecture, platformDetails,
                    "/dev/sda1", devices, List.of(), account, true, Map.of()));
            importImageTasks.put(task.id(), task.completed(amiId, details));
        }
    }

    void advanceInstanceExports(Instant now) {
        for (InstanceExportTask task : List.copyOf(instanceExportTasks.values())) {
            if (!task.active() || now.isBefore(task.completeAt())) {
                continue;
            }
            Instant at = task.completeAt();
            endSpan(task.id(), at);
            Bucket bucket = s3.buckets.get(task.s3Bucket());
            Ec2Instance instance = ec2.instances.get(task.instanceId());
            Volume root = instance == null || instance.volumeIds().isEmpty() ? null
                    : ec2.volumes.get(instance.volumeIds().get(0));
            if (bucket == null || root == null) {
                instanceExportTasks.put(task.id(), task.withState("cancelled",
                        bucket == null ? "The S3 bucket " + task.s3Bucket() + " does not exist"
                                : "The instance's volume no longer exists"));
                continue;
            }
            Blob written = formats.wrap(disks.blob(root.disk()), task.diskImageFormat(), task.containerFormat(),
                    task.id());
            s3.putObject(new S3Object(bucket.name(), task.s3Key(), written.size(), S3State.multipartEtag(task.id(),
                    written.size()), at, "application/octet-stream", Map.of(), Map.of(), written));
            instanceExportTasks.put(task.id(), task.withState("completed", null));
        }
    }

    private void endSpan(String taskId, Instant at) {
        for (int i = 0; i < conversionSpans.size(); i++) {
            ConversionTaskSpan span = conversionSpans.get(i);
            if (span.taskId().equals(taskId) && span.end() == null) {
                conversionSpans.set(i, span.ended(at));
            }
        }
    }

    /** Replaces this state with a saved one. */
    void restore(PersistedWorld saved) {
        exportImageTasks.clear();
        importImageTasks.clear();
        importDisks.clear();
        instanceExportTasks.clear();
        conversionSpans.clear();
        saved.exportImageTasks().forEach(v -> exportImageTasks.put(v.id(), v));
        saved.importImageTasks().forEach(v -> importImageTasks.put(v.id(), v));
        saved.importDisks().forEach((k, v) -> {
            importDisks.put(k, List.copyOf(v));
            v.forEach(blobs::retain);
        });
        saved.instanceExportTasks().forEach(v -> instanceExportTasks.put(v.id(), v));
        conversionSpans.addAll(saved.conversionSpans());
    }
}
