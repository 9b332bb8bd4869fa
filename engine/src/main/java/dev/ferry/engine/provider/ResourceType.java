package dev.ferry.engine.provider;

/**
 * One kind of resource a provider implements: either only read ({@link DataSourceType}, such as
 * the source instance) or created and managed ({@link ManagedResourceType}, such as an AMI).
 */
public sealed interface ResourceType permits DataSourceType, ManagedResourceType {

    /** The type part of addresses: {@code aws_ami}. */
    String name();
}
