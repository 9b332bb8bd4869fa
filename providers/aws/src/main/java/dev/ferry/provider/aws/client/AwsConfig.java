package dev.ferry.provider.aws.client;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** {@code providers.aws}: the region, and optionally a named profile and an endpoint override. */
public record AwsConfig(String region, Optional<String> profile, Optional<String> endpoint) {

    public AwsConfig {
        requireNonNull(region, "region is null");
        profile = profile == null ? Optional.empty() : profile;
        endpoint = endpoint == null ? Optional.empty() : endpoint;
    }
}
