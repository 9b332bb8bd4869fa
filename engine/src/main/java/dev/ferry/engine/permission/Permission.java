package dev.ferry.engine.permission;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One thing a cloud must allow ferry to do, in that cloud's own words: an action ({@code ec2:CreateImage}, a token scope
 * {@code linodes:read_write}) on some resources ({@code arn:aws:s3:::BUCKET/*}; empty where the cloud does not narrow
 * by resource), only under some conditions (condition key to the values it may take), and why ferry needs it.
 */
public record Permission(String action, List<String> resources, Map<String, List<String>> conditions, String purpose) {

    public Permission {
        requireNonNull(action, "action is null");
        requireNonNull(purpose, "purpose is null");
        resources = List.copyOf(resources);
        conditions = Map.copyOf(new TreeMap<>(conditions));
    }

    /** An action on resources, without conditions. */
    public static Permission of(String action, List<String> resources, String purpose) {
        return new Permission(action, resources, Map.of(), purpose);
    }

    /** An action the cloud does not narrow by resource (a token scope). */
    public static Permission of(String action, String purpose) {
        return new Permission(action, List.of(), Map.of(), purpose);
    }
}
