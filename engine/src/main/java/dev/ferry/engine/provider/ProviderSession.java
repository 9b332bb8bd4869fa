package dev.ferry.engine.provider;

import java.util.List;
import java.util.Map;

/** A provider connected for one command run: its resource types, its limits, its clients. */
public interface ProviderSession extends AutoCloseable {

    List<ResourceType> resourceTypes();

    /**
     * Named concurrency limits and their capacity, such as {@code aws:conversion-tasks:us-west-1} →
     * 5. Resources that name a limit wait in a queue for a free slot instead of failing.
     */
    Map<String, Integer> limits();

    /** Openers for the disk images this provider stores ({@code s3}, {@code file}). */
    List<ArtifactOpener> artifactOpeners();

    @Override
    void close();
}
