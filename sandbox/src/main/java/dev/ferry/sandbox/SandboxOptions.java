package dev.ferry.sandbox;

import dev.ferry.sandbox.http.FaultSpec;
import dev.ferry.sandbox.linode.LinodeLimits;
import dev.ferry.sandbox.world.SandboxWorld;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How to start a {@link Sandbox}. Defaults: an ephemeral loopback port, the default world, time scale 1.0
 * (the demo's pace), state in memory, no faults, Linode's real upload limits, disk images of 32 MiB cached
 * under {@code ~/.cache/ferry/sandbox}.
 */
public final class SandboxOptions {

    public static final long DEFAULT_DISK_IMAGE_BYTES = 32L * 1024 * 1024;

    private final int port;
    private final SandboxWorld world;
    private final Path worldFile;
    private final double timeScale;
    private final Path stateDirectory;
    private final FaultSpec faults;
    private final LinodeLimits linodeLimits;
    private final Path cacheDirectory;
    private final long diskImageBytes;

    private SandboxOptions(Builder builder) {
        this.port = builder.port;
        this.world = builder.world;
        this.worldFile = builder.worldFile;
        this.timeScale = builder.timeScale;
        this.stateDirectory = builder.stateDirectory;
        this.faults = builder.faults;
        this.linodeLimits = builder.linodeLimits;
        this.cacheDirectory = builder.cacheDirectory;
        this.diskImageBytes = builder.diskImageBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SandboxOptions defaults() {
        return builder().build();
    }

    public int port() {
        return port;
    }

    /** The world given directly, if any (a world file is read at start). */
    public Optional<SandboxWorld> world() {
        return Optional.ofNullable(world);
    }

    public Optional<Path> worldFile() {
        return Optional.ofNullable(worldFile);
    }

    public double timeScale() {
        return timeScale;
    }

    public Optional<Path> stateDirectory() {
        return Optional.ofNullable(stateDirectory);
    }

    public FaultSpec faults() {
        return faults;
    }

    public LinodeLimits linodeLimits() {
        return linodeLimits;
    }

    public Path cacheDirectory() {
        return cacheDirectory;
    }

    public long diskImageBytes() {
        return diskImageBytes;
    }

    static Path defaultCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ferry").resolve("sandbox");
    }

    public static final class Builder {
        private int port;
        private SandboxWorld world;
        private Path worldFile;
        private double timeScale = 1.0;
        private Path stateDirectory;
        private FaultSpec faults = FaultSpec.none();
        private LinodeLimits linodeLimits = LinodeLimits.defaults();
        private Path cacheDirectory = defaultCacheDirectory();
        private long diskImageBytes = DEFAULT_DISK_IMAGE_BYTES;

        private Builder() {
        }

        /** The loopback port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
            this.port = port;
            return this;
        }

        public Builder world(SandboxWorld world) {
            this.world = requireNonNull(world, "world is null");
            this.worldFile = null;
            return this;
        }

        /** A YAML or JSON world file (see {@link SandboxWorld}), read when the sandbox starts. */
        public Builder worldFile(Path file) {
            this.worldFile = requireNonNull(file, "file is null");
            this.world = null;
            return this;
        }

        /** Multiplies every operation's duration: 1.0 is the demo's pace, 0.01 suits tests, 0 is instant. */
        public Builder timeScale(double scale) {
            if (!(scale >= 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("time scale must be zero or positive, was " + scale);
            }
            this.timeScale = scale;
            return this;
        }

        /** Keeps the world (as JSON) and stored bytes in this directory between runs. */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = requireNonNull(directory, "directory is null");
            return this;
        }

        public Builder faults(FaultSpec faults) {
            this.faults = requireNonNull(faults, "faults is null");
            return this;
        }

        /** Faults in the text form of {@link FaultSpec#parse}. */
        public Builder faults(String spec) {
            this.faults = FaultSpec.parse(spec);
            return this;
        }

        public Builder linodeLimits(LinodeLimits limits) {
            this.linodeLimits = requireNonNull(limits, "limits is null");
            return this;
        }

        /** Where built disk images are cached. */
        public Builder cacheDirectory(Path directory) {
            this.cacheDirectory = requireNonNull(directory, "directory is null");
            return this;
        }

        /** The size of the disk images the sandbox builds for volumes that do not say otherwise. */
        public Builder diskImageBytes(long bytes) {
            if (bytes < 4L * 1024 * 1024 || bytes % (1024 * 1024) != 0) {
                throw new IllegalArgumentException("disk image size must be a whole number of MiB, at least 4 MiB");
            }
            this.diskImageBytes = bytes;
            return this;
        }

        public SandboxOptions build() {
            return new SandboxOptions(this);
        }
    }
}
