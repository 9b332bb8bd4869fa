package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.transfer.RangedByteSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** What the engine would hand a Linode resource during one step, recording what the resource reports back. */
final class FakeApplyContext implements ApplyContext {

    private final Identity identity;
    private final Attributes arguments;
    private final Optional<PriorState> prior;
    private final Map<String, String> secrets;
    final List<Operation> checkpoints = new CopyOnWriteArrayList<>();
    final List<String> progress = new CopyOnWriteArrayList<>();
    final List<long[]> transferred = new CopyOnWriteArrayList<>();
    private int sourceCuts;
    private BooleanSupplier cancelled = () -> false;

    FakeApplyContext(Identity identity, Attributes arguments, Optional<PriorState> prior, Map<String, String> secrets) {
        this.identity = requireNonNull(identity, "identity is null");
        this.arguments = requireNonNull(arguments, "arguments is null");
        this.prior = requireNonNull(prior, "prior is null");
        this.secrets = Map.copyOf(secrets);
    }

    static Identity identity(String address) {
        return new Identity(ResourceAddress.parse(address), "7d2c1f0e-5b7a-4f3e-9a61-3c0d9b8e2f14", 1);
    }

    FakeApplyContext cutSourceReads(int cuts) {
        this.sourceCuts = cuts;
        return this;
    }

    FakeApplyContext cancelWhen(BooleanSupplier condition) {
        this.cancelled = condition;
        return this;
    }

    @Override
    public Identity identity() {
        return identity;
    }

    @Override
    public Attributes arguments() {
        return arguments;
    }

    @Override
    public Optional<PriorState> prior() {
        return prior;
    }

    @Override
    public Secret secret(String name) {
        String reference = arguments.secret(name).orElseThrow().toString();
        String value = secrets.get(reference);
        if (value == null) {
            throw new IllegalStateException("no value for " + reference);
        }
        return new Secret(value);
    }

    @Override
    public void progress(String status) {
        progress.add(status);
    }

    @Override
    public void progress(String status, double percent) {
        progress.add(status + " " + percent + "%");
    }

    @Override
    public void transferred(String status, long bytes, long totalBytes) {
        transferred.add(new long[] {bytes, totalBytes});
    }

    @Override
    public RangedByteSource openDiskImage(JsonNode diskImage) {
        DiskImage image = DiskImage.fromJson(diskImage);
        if (!image.kind().equals("file")) {
            throw new IllegalArgumentException("the fake opens only file images, not " + image.kind());
        }
        return TestDisks.source(Path.of(image.location().get("path").asText()), sourceCuts);
    }

    @Override
    public void checkpoint(Operation operation) {
        checkpoints.add(operation);
    }

    @Override
    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }
}
