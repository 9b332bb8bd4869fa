package dev.ferry.provider.aws.target;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.AwsResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * {@code aws_s3_object}: a disk image another provider offers (a {@code DiskImage}, read through
 * {@link ApplyContext#openDiskImage}) uploaded to {@code PREFIX + NAME + "." + FORMAT} in the staging
 * bucket with a multipart upload: parts in parallel, each streamed from the source with its CRC32C checksum (see
 * {@link PartChecksum}), which S3 verifies.
 * The upload id is checkpointed before the first part, so an upload cut short (a crash, Ctrl-C) is
 * resumed: ListParts tells which parts S3 holds, and only the others are sent.
 */
public final class S3ObjectUploadResource extends AwsResource {

    public static final String NAME = "aws_s3_object";
    static final long MAX_OBJECT_BYTES = 5L * 1024 * 1024 * 1024 * 1024;
    static final Set<String> FORMATS = Set.of("ova", "vmdk", "vhd", "vhdx", "raw");
    private static final long MIB = 1024L * 1024;
    private static final int MAX_PARTS = 10_000;

    /** Part size and how many parts go at once. */
    public record UploadTuning(long partSize, int parallelism) {
        public static final UploadTuning STANDARD = new UploadTuning(16 * MIB, 4);

        public UploadTuning {
            if (partSize < 5 * MIB) {
                throw new IllegalArgumentException("S3 parts are at least 5 MiB");
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1");
            }
        }

        /** The part size for {@code size} bytes: the tuned one, larger when 10,000 parts would not hold it. */
        long partSizeFor(long size) {
            long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
            long rounded = (needed + MIB - 1) / MIB * MIB;
            return Math.max(partSize, rounded);
        }
    }

    private final UploadTuning tuning;

    public S3ObjectUploadResource(AwsClients clients, AwsCalls calls, UploadTuning tuning) {
        super(NAME, ResourceSchema.IMMUTABLE, clients, calls);
        this.tuning = requireNonNull(tuning, "tuning is null");
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        String bucket = desired.text("bucket");
        ObjectNode known = Json.object().put("bucket", bucket);
        if (!desired.isKnown("source")) {
            return new PlanResult(desired.withUnknown("key").withUnknown("format").withUnknown("size_bytes"), known, List.of(), errors);
        }
        DiskImage image;
        try {
            image = DiskImage.fromJson(desired.get("source"));
        } catch (IllegalArgumentException e) {
            return new PlanResult(desired, known, List.of(), List.of("the disk image to upload is not described properly: " + e.getMessage()));
        }
        String format = image.format().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            errors.add("VM Import/Export takes OVA, VMDK, VHD, VHDX or RAW disk images, not " + image.format() + " (" + image.description() + ")");
        }
        if (image.sizeBytes() <= 0) {
            errors.add("the disk image " + image.description() + " is empty");
        }
        if (image.sizeBytes() > MAX_OBJECT_BYTES) {
            errors.add("the disk image " + image.description() + " is " + image.sizeBytes() / (1024 * MIB) + " GiB; an S3 object holds at"
                    + " most 5 TiB. Export the VM's disks separately, or shrink them first");
        }
        String key = desired.optionalText("prefix").orElse("") + desired.text("name") + "." + format;
        known.put("key", key).put("format", format).put("size_bytes", image.sizeBytes());
        Attributes planned = desired.with("key", Json.MAPPER.getNodeFactory().textNode(key))
                .with("format", Json.MAPPER.getNodeFactory().textNode(format))
                .with("size_bytes", Json.MAPPER.getNodeFactory().numberNode(image.sizeBytes()));
        return new PlanResult(planned, known, List.of(), errors);
    }

    private static String id(String bucket, String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        String bucket = arguments.text("bucket");
        String key = arguments.text("key");
        Identity identity = context.identity();
        RangedByteSource source = context.openDiskImage(arguments.get("source"));
        long partSize = tuning.partSizeFor(source.size());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("ferry-id", identity.token());
        metadata.put("ferry-address", identity.address().toString());
        String uploadId = calls.once("S3 CreateMultipartUpload " + id(bucket, key), () -> clients.s3().createMultipartUpload(r -> r
                .bucket(bucket).key(key).contentType("application/octet-stream").metadata(metadata)
                .checksumAlgorithm(PartChecksum.CRC32C.algorithm()))).uploadId();
        ObjectNode data = Json.object().put("bucket", bucket).put("key", key).put("part_size", partSize).put("size", source.size())
                .put("checksum", PartChecksum.CRC32C.name());
        Operation operation = new Operation(Operation.CREATE, uploadId, Optional.empty(), "uploading", data);
        // Recorded before the first byte goes, so a crash from here on resumes this upload.
        context.checkpoint(operation);
        return upload(context, source, operation, new TreeMap<>());
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return new Outcome.Deleted();
        }
        String bucket = operation.data().path("bucket").asText(context.arguments().text("bucket"));
        String key = operation.data().path("key").asText(context.arguments().text("key"));
        Optional<SortedMap<Integer, Part>> listed = listParts(bucket, key, operation.id());
        if (listed.isEmpty()) {
            // No such upload: it completed before the crash was recorded, or it was aborted.
            Optional<HeadObjectResponse> head = head(bucket, key);
            if (head.isPresent() && context.identity().token().equals(head.get().metadata().get("ferry-id"))) {
                return done(bucket, key, head.get(), context.arguments());
            }
            context.progress("the interrupted upload " + operation.id() + " is gone; starting again");
            return create(context);
        }
        RangedByteSource source = context.openDiskImage(context.arguments().get("source"));
        long expectedSize = operation.data().path("size").asLong(source.size());
        if (expectedSize != source.size()) {
            abort(bucket, key, operation.id());
            context.progress("the disk image changed size since the upload began; starting again");
            return create(context);
        }
        context.progress("resuming upload " + operation.id() + ": " + listed.get().size() + " part(s) already in S3");
        return upload(context, source, operation, listed.get());
    }

    /** Sends the parts S3 does not hold yet, in parallel, then completes the upload. */
    private Outcome upload(ApplyContext context, RangedByteSource source, Operation operation, SortedMap<Integer, Part> present) {
        String bucket = operation.data().path("bucket").asText();
        String key = operation.data().path("key").asText();
        long size = source.size();
        long partSize = operation.data().path("part_size").asLong(tuning.partSizeFor(size));
        int parts = (int) Math.max(1, (size + partSize - 1) / partSize);
        PartChecksum checksum = PartChecksum.named(operation.data().path("checksum").asText(null));
        Map<Integer, CompletedPart> completed = new TreeMap<>();
        AtomicLong sent = new AtomicLong();
        for (Part part : present.values()) {
            int number = part.partNumber();
            long expected = number < parts ? partSize : size - (long) (parts - 1) * partSize;
            if (number <= parts && part.size() != null && part.size() == expected && checksum.in(part) != null) {
                completed.put(number, checksum.completed(number, part.eTag(), checksum.in(part)));
                sent.addAndGet(expected);
            }
        }
        context.transferred("uploading to " + id(bucket, key), sent.get(), size);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(tuning.parallelism(), parts), runnable -> {
            Thread thread = new Thread(runnable, "ferry-s3-part");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<CompletedPart>> running = new ArrayList<>();
            for (int number = 1; number <= parts; number++) {
                if (completed.containsKey(number)) {
                    continue;
                }
                int part = number;
                long offset = (long) (number - 1) * partSize;
                long length = Math.min(partSize, size - offset);
                running.add(pool.submit(() -> {
                    if (context.cancelled()) {
                        return null;
                    }
                    CompletedPart done = uploadPart(source, checksum, bucket, key, operation.id(), part, offset, length);
                    context.transferred("uploading to " + id(bucket, key), sent.addAndGet(length), size);
                    return done;
                }));
            }
            FerryException failure = null;
            for (Future<CompletedPart> future : running) {
                try {
                    CompletedPart done = future.get();
                    if (done != null) {
                        completed.put(done.partNumber(), done);
                    }
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof FerryException ferry ? ferry
                                : new FerryException("uploading to " + id(bucket, key) + " failed: " + e.getCause().getMessage(), e.getCause());
                        // Parts not yet started are not worth sending; those already sending finish, and a resume keeps them.
                        running.forEach(f -> f.cancel(false));
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // cancelled after another part failed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running.forEach(f -> f.cancel(true));
                    return paused(operation, sent.get(), size);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdown();
            awaitParts(pool);
        }
        if (completed.size() < parts) {
            return paused(operation, sent.get(), size);
        }
        List<CompletedPart> ordered = new ArrayList<>(completed.values());
        try {
            calls.once("S3 CompleteMultipartUpload " + id(bucket, key), () -> clients.s3().completeMultipartUpload(r -> r.bucket(bucket)
                    .key(key).uploadId(operation.id()).multipartUpload(m -> m.parts(ordered))));
        } catch (FerryException e) {
            // When the answer was lost the upload may be complete already: the object tells.
            boolean alreadyComplete = (AwsCalls.answerLost(e) || AwsCalls.missing(e.getCause(), "NoSuchUpload")) && head(bucket, key)
                    .filter(object -> context.identity().token().equals(object.metadata().get("ferry-id"))).isPresent();
            if (!alreadyComplete) {
                throw e;
            }
        }
        HeadObjectResponse head = head(bucket, key).orElseThrow(() -> new FerryException(id(bucket, key) + " is missing right after its upload"));
        if (head.contentLength() != size) {
            throw new FerryException(id(bucket, key) + " holds " + head.contentLength() + " bytes after the upload, not " + size);
        }
        return done(bucket, key, head, context.arguments());
    }

    /** Parts already being sent finish before this step returns, so a resume never races them. */
    private static void awaitParts(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static Outcome paused(Operation operation, long sent, long size) {
        return new Outcome.InProgress(operation.withPhase("uploading"), "upload paused", OptionalDouble.of(size == 0 ? 0 : 100.0 * sent / size),
                Duration.ofMillis(10));
    }

    /**
     * Streams one part from the source into UploadPart, nothing kept here: the SDK computes the checksum as the bytes
     * go and sends it after them (a trailing checksum), S3 verifies it and answers it, and that answer completes the
     * upload. A read that breaks fails the attempt, and the SDK's next attempt opens the range again.
     */
    private CompletedPart uploadPart(RangedByteSource source, PartChecksum algorithm, String bucket, String key, String uploadId,
                                     int number, long offset, long length) {
        UploadPartResponse response = calls.call("S3 UploadPart " + number + " of " + id(bucket, key), () -> clients.s3().uploadPart(r -> r
                .bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength(length)
                .checksumAlgorithm(algorithm.algorithm()), RequestBody.fromContentProvider(() -> open(source, offset, length), length,
                "application/octet-stream")));
        String checksum = algorithm.in(response);
        if (checksum == null) {
            throw new FerryException("S3 accepted part " + number + " of " + id(bucket, key) + " without the " + algorithm
                    + " checksum the upload declared; ferry cannot complete the upload with it");
        }
        return algorithm.completed(number, response.eTag(), checksum);
    }

    private static InputStream open(RangedByteSource source, long offset, long length) {
        try {
            return source.openRange(offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("reading bytes " + offset + "-" + (offset + length - 1) + " of " + source.description()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private Optional<SortedMap<Integer, Part>> listParts(String bucket, String key, String uploadId) {
        SortedMap<Integer, Part> parts = new TreeMap<>();
        try {
            calls.run("S3 ListParts " + id(bucket, key), () -> clients.s3().listPartsPaginator(r -> r.bucket(bucket).key(key).uploadId(uploadId))
                    .parts().forEach(part -> parts.put(part.partNumber(), part)));
            return Optional.of(parts);
        } catch (FerryException e) {
            if (AwsCalls.missing(e.getCause(), "NoSuchUpload")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<HeadObjectResponse> head(String bucket, String key) {
        try {
            return Optional.of(calls.call("S3 HeadObject " + id(bucket, key), () -> clients.s3().headObject(r -> r.bucket(bucket).key(key))));
        } catch (FerryException e) {
            if (AwsCalls.status(e.getCause()) == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void abort(String bucket, String key, String uploadId) {
        try {
            calls.run("S3 AbortMultipartUpload " + id(bucket, key), () -> clients.s3().abortMultipartUpload(r -> r.bucket(bucket).key(key)
                    .uploadId(uploadId)));
        } catch (FerryException e) {
            if (!AwsCalls.missing(e.getCause(), "NoSuchUpload")) {
                throw e;
            }
        }
    }

    private Outcome done(String bucket, String key, HeadObjectResponse head, Attributes arguments) {
        return new Outcome.Done(id(bucket, key), outputs(bucket, key, head.contentLength(), head.eTag(), arguments.optionalText("format")
                .orElse(formatOf(key))));
    }

    private ObjectNode outputs(String bucket, String key, long size, String etag, String format) {
        ObjectNode location = Json.object().put("bucket", bucket).put("key", key).put("region", clients.regionName());
        if (etag != null) {
            location.put("etag", etag);
        }
        ObjectNode outputs = Json.object().put("id", id(bucket, key)).put("bucket", bucket).put("key", key).put("size_bytes", size)
                .put("format", format);
        if (etag != null) {
            outputs.put("etag", etag);
        }
        outputs.set("disk_image", new DiskImage("s3", format, size, location, id(bucket, key)).toJson());
        return outputs;
    }

    private static String formatOf(String key) {
        int dot = key.lastIndexOf('.');
        return dot < 0 ? "raw" : key.substring(dot + 1);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, List<RefreshRequest>> byBucket = new LinkedHashMap<>();
        requests.forEach(request -> byBucket.computeIfAbsent(request.arguments().path("bucket").asText() + "\n"
                + request.arguments().path("prefix").asText(""), k -> new ArrayList<>()).add(request));
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (List<RefreshRequest> group : byBucket.values()) {
            String bucket = group.get(0).arguments().path("bucket").asText();
            String prefix = group.get(0).arguments().path("prefix").asText("");
            Map<String, S3Object> objects = new HashMap<>();
            try {
                calls.run("S3 ListObjectsV2 s3://" + bucket + "/" + prefix, () -> clients.s3().listObjectsV2Paginator(r -> r.bucket(bucket)
                        .prefix(prefix)).contents().forEach(object -> objects.put(object.key(), object)));
            } catch (FerryException e) {
                if (!AwsCalls.missing(e.getCause(), "NoSuchBucket")) {
                    throw e;
                }
            }
            for (RefreshRequest request : group) {
                String key = request.arguments().path("key").asText(request.outputs().path("key").asText());
                S3Object object = objects.get(key);
                observed.put(request.address(), object == null ? new Observation.Gone()
                        : new Observation.Exists(Json.object(), outputs(bucket, key, object.size(), object.eTag(),
                        request.arguments().path("format").asText(formatOf(key)))));
            }
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        String bucket = arguments.text("bucket");
        String key = arguments.text("key");
        Optional<HeadObjectResponse> head = head(bucket, key);
        if (head.isPresent() && identity.token().equals(head.get().metadata().get("ferry-id"))) {
            return Optional.of(new Found(id(bucket, key), Optional.empty()));
        }
        // An upload begun for this key whose id never reached the state: resume the latest one.
        List<MultipartUpload> uploads = new ArrayList<>();
        calls.run("S3 ListMultipartUploads " + id(bucket, key), () -> clients.s3().listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(key))
                .uploads().forEach(uploads::add));
        return uploads.stream().filter(upload -> upload.key().equals(key))
                .max((a, b) -> a.initiated().compareTo(b.initiated()))
                .map(upload -> {
                    long size = arguments.find("size_bytes").map(JsonNode::asLong).orElse(0L);
                    ObjectNode data = Json.object().put("bucket", bucket).put("key", key).put("part_size", tuning.partSizeFor(size))
                            .put("size", size).put("checksum", PartChecksum.of(upload).name());
                    return new Found(id(bucket, key), Optional.of(new Operation(Operation.CREATE, upload.uploadId(), Optional.empty(),
                            "uploading", data)));
                });
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new IllegalStateException("aws_s3_object is replaced, never updated");
    }

    @Override
    public Outcome delete(ApplyContext context) {
        JsonNode arguments = context.prior().orElseThrow().arguments();
        JsonNode outputs = context.prior().get().outputs();
        String bucket = outputs.path("bucket").asText(arguments.path("bucket").asText());
        String key = outputs.path("key").asText(arguments.path("key").asText());
        context.progress("deleting " + id(bucket, key));
        try {
            List<MultipartUpload> uploads = new ArrayList<>();
            calls.run("S3 ListMultipartUploads " + id(bucket, key), () -> clients.s3().listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(key))
                    .uploads().forEach(uploads::add));
            uploads.stream().filter(upload -> upload.key().equals(key)).forEach(upload -> abort(bucket, key, upload.uploadId()));
            calls.run("S3 DeleteObject " + id(bucket, key), () -> clients.s3().deleteObject(r -> r.bucket(bucket).key(key)));
        } catch (FerryException e) {
            if (!AwsCalls.missing(e.getCause(), "NoSuchBucket", "NoSuchKey")) {
                throw e;
            }
        }
        return new Outcome.Deleted();
    }

    /**
     * What the multipart upload needs, on the staging bucket's objects under the prefix: parts written, listed, resumed
     * or aborted, the object checked, found and deleted at clean-up.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        Optional<String> bucket = arguments.optionalText("bucket");
        List<String> onBucket = List.of(scope.bucket(bucket));
        List<String> objects = List.of(scope.objects(bucket, arguments.optionalText("prefix")));
        String why = address + " uploads the disk image to the staging bucket";
        return List.of(
                Permission.of("s3:ListBucket", onBucket, why),
                Permission.of("s3:ListBucketMultipartUploads", onBucket, why),
                Permission.of("s3:PutObject", objects, why),
                Permission.of("s3:GetObject", objects, why),
                Permission.of("s3:ListMultipartUploadParts", objects, why),
                Permission.of("s3:AbortMultipartUpload", objects, why),
                Permission.of("s3:DeleteObject", objects, address + " deletes the uploaded object at clean-up"));
    }
}
