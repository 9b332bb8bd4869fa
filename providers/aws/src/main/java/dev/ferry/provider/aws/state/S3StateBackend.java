package dev.ferry.provider.aws.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.state.LockScope;
import dev.ferry.engine.state.PartitionedStateStore;
import dev.ferry.engine.state.RemoteStateLocation;
import dev.ferry.engine.state.StateBackend;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.engine.state.StateLock;
import dev.ferry.engine.state.StateObjects;
import dev.ferry.engine.state.StateStore;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.IamPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * State in S3, as Terraform's S3 backend with {@code use_lockfile} keeps it, in objects as {@link PartitionedStateStore}
 * says: the manifest {@code KEY}, one object per migration {@code KEY.d/migrations/NAME.json} (without {@code .json} in
 * {@code KEY}) and {@code KEY.d/_shared.json}; the lock the object {@code KEY.lock}, made with {@code PutObject} + {@code If-None-Match: *} so that S3 itself
 * refuses (412) a second run while one holds it. Every object write carries {@code If-Match} with the ETag this run
 * last read or wrote of that object ({@code If-None-Match: *} when there was none), so a state another run changed meanwhile is
 * never overwritten. Objects are written with SSE-S3 (AES256).
 */
public final class S3StateBackend implements StateBackend {

    private final AwsClients clients;
    private final S3Client s3;
    private final RemoteStateLocation location;
    private final StateStore store;

    public S3StateBackend(AwsClients clients, RemoteStateLocation location) {
        this.clients = requireNonNull(clients, "clients is null");
        this.location = requireNonNull(location, "location is null");
        this.s3 = clients.s3();
        String parts = partsPrefix();
        this.store = new PartitionedStateStore(new Objects(), parts.substring(parts.lastIndexOf('/', parts.length() - 2) + 1),
                location.uri());
    }

    @Override
    public StateStore store() {
        return store;
    }

    @Override
    public String describe() {
        return location.uri();
    }

    /**
     * Takes the lock of {@code scope}: the object {@code KEY.lock} for the whole state, {@code KEY.lock.d/shard-I-of-N} for
     * one shard, each made with {@code If-None-Match: *}; then the others are read as {@link LockScope} says, and on a
     * conflict this run's lock is removed again and the run refused. A lock of a process gone from this machine (killed
     * with -9) is removed with a warning, as the local lock does; any other is removed with {@code ferry force-unlock ID}.
     */
    @Override
    public Lock lock(String operation, LockScope scope) {
        StateLock.Info mine = StateLock.mine(operation);
        String key = scope.whole() ? location.lockKey() : shardPrefix() + scope.name();
        Optional<StateLock.Info> replaced = Optional.empty();
        for (int attempt = 0; ; attempt++) {
            try {
                s3.putObject(put(key).ifNoneMatch("*").build(), RequestBody.fromBytes(StateCodec.MAPPER.writeValueAsBytes(mine)));
                break;
            } catch (S3Exception e) {
                if (e.statusCode() == 412 || e.statusCode() == 409) {
                    Optional<StateLock.Info> holder = readLock(key);
                    if (attempt < 5 && (holder.isEmpty() || StateLock.isStale(holder.get()))) {
                        // 409: another write of it was under way; none to read: released meanwhile (its holder
                        // finished just then); a stale one is removed and taken
                        if (holder.isPresent()) {
                            deleteIfSame(key, holder.get());
                            replaced = holder;
                        }
                        continue;
                    }
                    throw new StateLock.Held(holder.map(StateLock::heldMessage)
                            .orElse("the state " + location.uri() + " is locked (s3://" + location.bucket() + "/" + key
                                    + " exists) and the lock cannot be read; if no ferry is running, delete that object"),
                            scope.whole() ? holder : Optional.empty());
                }
                throw failure("take the lock s3://" + location.bucket() + "/" + key, e);
            } catch (IOException e) {
                throw new FerryException("cannot write the state lock: " + e.getMessage());
            } catch (SdkClientException e) {
                throw failure("take the lock s3://" + location.bucket() + "/" + key, e);
            }
        }
        Lock lock = new HeldLock(key, mine, replaced);
        Optional<StateLock.Info> whole;
        Optional<String> conflict;
        try {
            whole = scope.whole() ? Optional.empty() : live(location.lockKey());
            conflict = scope.conflict(whole, liveShards(mine));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        if (conflict.isPresent()) {
            lock.close();
            throw new StateLock.Held(conflict.get(), whole);
        }
        return lock;
    }

    /** This run's lock object; closing removes it when it still names this run. */
    private final class HeldLock implements Lock {
        private final String key;
        private final StateLock.Info mine;
        private final Optional<StateLock.Info> replaced;
        private boolean released;

        HeldLock(String key, StateLock.Info mine, Optional<StateLock.Info> replaced) {
            this.key = key;
            this.mine = mine;
            this.replaced = replaced;
        }

        @Override
        public StateLock.Info info() {
            return mine;
        }

        @Override
        public Optional<StateLock.Info> takenOver() {
            return replaced;
        }

        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            try {
                deleteIfSame(key, mine);
            } catch (RuntimeException e) {
                // Left behind, the lock names this run; 'ferry force-unlock ID' removes it.
            }
        }
    }

    /** Where the shard locks are: {@code KEY.lock.d/}. */
    private String shardPrefix() {
        return location.lockKey() + ".d/";
    }

    /** The lock object {@code key} when a live process holds it; one of a process gone from this machine is removed. */
    private Optional<StateLock.Info> live(String key) {
        Optional<StateLock.Info> holder = readLock(key);
        if (holder.isPresent() && StateLock.isStale(holder.get())) {
            deleteIfSame(key, holder.get());
            return Optional.empty();
        }
        return holder;
    }

    /** The shard locks held by live processes, but {@code own}, by shard. */
    private Map<LockScope, StateLock.Info> liveShards(StateLock.Info own) {
        Map<LockScope, StateLock.Info> found = new TreeMap<>(Comparator.comparing(LockScope::count).thenComparing(LockScope::index));
        shardLockKeys().forEach((scope, key) -> live(key).filter(info -> !info.id().equals(own.id()))
                .ifPresent(info -> found.put(scope, info)));
        return found;
    }

    private Map<LockScope, String> shardLockKeys() {
        Map<LockScope, String> keys = new TreeMap<>(Comparator.comparing(LockScope::count).thenComparing(LockScope::index));
        try {
            s3.listObjectsV2Paginator(r -> r.bucket(location.bucket()).prefix(shardPrefix())).contents().forEach(object ->
                    LockScope.ofName(object.key().substring(shardPrefix().length())).ifPresent(scope -> keys.put(scope, object.key())));
        } catch (S3Exception | SdkClientException e) {
            throw failure("list the shard locks s3://" + location.bucket() + "/" + shardPrefix(), e);
        }
        return keys;
    }

    /** Removes the lock object {@code key} if it still names {@code expected}'s lock. */
    private void deleteIfSame(String key, StateLock.Info expected) {
        if (readLock(key).map(held -> held.id().equals(expected.id())).orElse(false)) {
            s3.deleteObject(r -> r.bucket(location.bucket()).key(key));
        }
    }

    /** Removes the lock with {@code id}: the whole-state lock or a shard lock, whoever holds it. */
    @Override
    public StateLock.Info forceUnlock(String id) {
        List<String> held = new ArrayList<>();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(location.lockKey(), "the whole state");
        shardLockKeys().forEach((scope, key) -> keys.put(key, scope.describe()));
        for (Map.Entry<String, String> lock : keys.entrySet()) {
            Optional<StateLock.Info> holder = readLock(lock.getKey());
            if (holder.isEmpty()) {
                continue;
            }
            if (holder.get().id().equals(id)) {
                try {
                    s3.deleteObject(r -> r.bucket(location.bucket()).key(lock.getKey()));
                } catch (RuntimeException e) {
                    throw failure("remove the lock s3://" + location.bucket() + "/" + lock.getKey(), e);
                }
                return holder.get();
            }
            held.add(holder.get().id() + " (" + lock.getValue() + ", " + holder.get().holder() + ", pid " + holder.get().pid() + ")");
        }
        if (held.isEmpty()) {
            throw new FerryException("the state " + location.uri() + " is not locked (no s3://" + location.bucket() + "/"
                    + location.lockKey() + " nor any shard lock in s3://" + location.bucket() + "/" + shardPrefix() + ")");
        }
        if (held.size() == 1 && keys.size() == 1) {
            StateLock.Info holder = readLock(location.lockKey()).orElseThrow();
            throw new FerryException("the lock id is " + holder.id() + ", not " + id + "; nothing was unlocked."
                    + " Check that the holder (" + holder.holder() + ", pid " + holder.pid() + ") is really gone");
        }
        throw new FerryException("no lock of the state " + location.uri() + " has the id " + id + "; nothing was unlocked. The locks"
                + " held are: " + String.join("; ", held) + ". Check that the holder is really gone before removing its lock");
    }

    @Override
    public List<String> warnings() {
        try {
            BucketVersioningStatus status = s3.getBucketVersioning(r -> r.bucket(location.bucket())).status();
            if (status == BucketVersioningStatus.ENABLED) {
                return List.of();
            }
            return List.of("the state bucket " + location.bucket() + " has no versioning"
                    + (status == BucketVersioningStatus.SUSPENDED ? " (it is suspended)" : "")
                    + ": a state overwritten or deleted by mistake cannot be recovered. Turn it on with: aws s3api"
                    + " put-bucket-versioning --bucket " + location.bucket() + " --versioning-configuration Status=Enabled");
        } catch (S3Exception e) {
            return List.of("cannot tell whether the state bucket " + location.bucket() + " keeps versions ("
                    + e.awsErrorDetails().errorCode() + "); keep versioning on for it");
        }
    }

    @Override
    public void close() {
        clients.close();
    }

    private PutObjectRequest.Builder put(String key) {
        return PutObjectRequest.builder().bucket(location.bucket()).key(key).contentType("application/json")
                .serverSideEncryption(ServerSideEncryption.AES256);
    }

    /** What the lock object says, or empty when there is none (or it cannot be read). */
    private Optional<StateLock.Info> readLock() {
        return readLock(location.lockKey());
    }

    private Optional<StateLock.Info> readLock(String key) {
        try {
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(location.bucket()).key(key)).asByteArray();
            return Optional.of(StateCodec.MAPPER.readValue(bytes, StateLock.Info.class));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private FerryException failure(String what, RuntimeException e) {
        String why = e instanceof S3Exception s3e && s3e.awsErrorDetails() != null
                ? s3e.awsErrorDetails().errorCode() + ": " + s3e.awsErrorDetails().errorMessage()
                : e.getMessage();
        String endpoint = clients.describeEndpoint().map(d -> " at " + d).orElse("");
        return new FerryException("cannot " + what + endpoint + ": " + why + ". Check that the bucket exists in "
                + clients.regionName() + " and that the AWS credentials may read and write it");
    }

    /** The key prefix of the state's parts: {@code web-tier/state.d/} for {@code web-tier/state.json}. */
    private String partsPrefix() {
        return location.key().replaceAll("\\.json$", "") + ".d/";
    }

    /**
     * The state's objects in the bucket: the manifest is {@code KEY}, the parts {@code KEY.d/...} (without {@code .json}),
     * each remembering the ETag this run last saw, so each write carries {@code If-Match} on it ({@code If-None-Match: *}
     * when there was no object): one small conditional PUT per step.
     */
    private final class Objects implements StateObjects {
        /** The ETag of each object as this run last read or wrote it; absent while there is none. */
        private final Map<String, String> etags = new ConcurrentHashMap<>();

        private String key(String name) {
            return name.equals(PartitionedStateStore.MANIFEST) ? location.key() : partsPrefix() + name;
        }

        @Override
        public Optional<byte[]> read(String name) {
            try {
                ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(r -> r.bucket(location.bucket()).key(key(name)));
                etags.put(name, object.response().eTag());
                return Optional.of(object.asByteArray());
            } catch (NoSuchKeyException e) {
                etags.remove(name);
                return Optional.empty();
            } catch (S3Exception | SdkClientException e) {
                throw failure("read the state " + describe(name), e);
            }
        }

        @Override
        public List<String> parts() {
            try {
                List<String> names = new ArrayList<>();
                String prefix = partsPrefix();
                s3.listObjectsV2Paginator(r -> r.bucket(location.bucket()).prefix(prefix)).contents().forEach(object -> {
                    String name = object.key().substring(prefix.length());
                    if (name.equals(PartitionedStateStore.SHARED) || (name.startsWith(PartitionedStateStore.MIGRATIONS)
                            && name.endsWith(".json") && name.indexOf('/', PartitionedStateStore.MIGRATIONS.length()) < 0)) {
                        names.add(name);
                    }
                });
                return names;
            } catch (S3Exception | SdkClientException e) {
                throw failure("list the state s3://" + location.bucket() + "/" + partsPrefix(), e);
            }
        }

        @Override
        public void write(String name, byte[] bytes) {
            PutObjectRequest.Builder request = put(key(name));
            String etag = etags.get(name);
            if (etag == null) {
                request.ifNoneMatch("*");
            } else {
                request.ifMatch(etag);
            }
            try {
                etags.put(name, s3.putObject(request.build(), RequestBody.fromBytes(bytes)).eTag());
            } catch (S3Exception e) {
                if (e.statusCode() == 412 || e.statusCode() == 409 || (e.statusCode() == 404 && etag != null)) {
                    throw new StateObjects.ChangedMeanwhile("the state " + describe(name) + " was changed by another run since this one read it"
                            + readLock().map(held -> " (the lock now names " + held.holder() + ", pid " + held.pid() + ", 'ferry "
                                    + held.operation() + "' since " + held.created() + ", lock id " + held.id() + ")").orElse("")
                            + "; it was not overwritten, and this run stops here. Run 'ferry plan' again to see where things are"
                            + " now");
                }
                throw failure("write the state " + describe(name), e);
            } catch (SdkClientException e) {
                throw failure("write the state " + describe(name), e);
            }
        }

        @Override
        public String describe(String name) {
            return "s3://" + location.bucket() + "/" + key(name);
        }
    }

    /**
     * What keeping state at {@code location} needs: the state object and its lock object read, written and deleted, and
     * the bucket's versioning read (to warn when it is off).
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, RemoteStateLocation location) {
        String why = "the state " + location.uri() + ", its parts and its lock";
        String parts = location.key().replaceAll("\\.json$", "") + ".d/";
        List<String> objects = List.of(scope.object(location.bucket(), location.key()), scope.object(location.bucket(), parts + "*"),
                scope.object(location.bucket(), location.lockKey()), scope.object(location.bucket(), location.lockKey() + ".d/*"));
        String bucket = scope.bucket(Optional.of(location.bucket()));
        return List.of(
                Permission.of("s3:GetObject", objects, why),
                Permission.of("s3:PutObject", objects, why),
                Permission.of("s3:DeleteObject", objects, why),
                // the parts are found by listing KEY.d/
                Permission.of("s3:ListBucket", List.of(bucket), why),
                Permission.of("s3:GetBucketVersioning", List.of(bucket), why));
    }
}
