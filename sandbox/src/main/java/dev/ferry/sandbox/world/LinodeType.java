package dev.ferry.sandbox.world;

import static java.util.Objects.requireNonNull;

/**
 * A Linode plan as {@code GET /linode/types} lists it.
 *
 * @param typeClass {@code nanode}, {@code standard}, {@code dedicated}, {@code highmem}, ...
 * @param memory    MB
 * @param disk      MB
 * @param transfer  GB per month
 * @param networkOut Mbits/s
 */
public record LinodeType(String id, String label, String typeClass, int vcpus, int memory, int disk, int transfer,
                         int networkOut, double hourly, double monthly, double backupsHourly, double backupsMonthly) {
    public LinodeType {
        requireNonNull(id, "id is null");
        requireNonNull(label, "label is null");
        requireNonNull(typeClass, "typeClass is null");
    }
}
