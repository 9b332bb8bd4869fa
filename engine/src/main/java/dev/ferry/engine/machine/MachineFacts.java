package dev.ferry.engine.machine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a source tells a target about the machine, in no cloud's words: how big it is, what it
 * runs, its disks and addresses, how its firmware boots ({@code bootMode}: {@code legacy-bios},
 * {@code uefi}, {@code uefi-preferred}, as EC2 names them). A target sizes itself from this
 * ({@code type: match}).
 */
public record MachineFacts(
        String source,
        String name,
        int vcpus,
        long memoryMib,
        String architecture,
        String platform,
        Optional<String> osName,
        List<Disk> disks,
        List<String> publicAddresses,
        List<String> privateAddresses,
        Map<String, String> tags,
        Optional<String> sizeName,
        Optional<Price> price,
        Optional<String> powerState,
        Optional<String> bootMode) {

    /** The output a source's data resource gives these facts in (and the argument a target takes them by). */
    public static final String OUTPUT = "machine";

    /**
     * The output a source's data resource gives beside its facts when no price applies to the machine where it is,
     * saying why (e.g. {@code on-premises}): not the same as a price that is not known. Kept out of the facts, which
     * targets take as an argument, so that it changes nothing they plan.
     */
    public static final String PRICE_NOT_APPLICABLE = "price_not_applicable";

    /** The firmware only boots through UEFI: no BIOS boot loader a direct-disk boot could start. */
    public static final String UEFI = "uefi";

    public static final String X86_64 = "x86_64";
    public static final String ARM64 = "arm64";

    /** One disk; {@code root} is the one the machine boots from. */
    public record Disk(String name, long sizeBytes, boolean root, Optional<String> type, boolean encrypted) {
        public Disk {
            requireNonNull(name, "name is null");
            type = type == null ? Optional.empty() : type;
        }
    }

    /** What the machine costs where it is now, for the plan to show next to the target's price. */
    public record Price(double monthlyUsd, String basis) {
    }

    public MachineFacts {
        requireNonNull(source, "source is null");
        requireNonNull(name, "name is null");
        architecture = architecture == null ? X86_64 : architecture;
        platform = platform == null ? "linux" : platform;
        osName = osName == null ? Optional.empty() : osName;
        disks = disks == null ? List.of() : List.copyOf(disks);
        publicAddresses = publicAddresses == null ? List.of() : List.copyOf(publicAddresses);
        privateAddresses = privateAddresses == null ? List.of() : List.copyOf(privateAddresses);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        sizeName = sizeName == null ? Optional.empty() : sizeName;
        price = price == null ? Optional.empty() : price;
        powerState = powerState == null ? Optional.empty() : powerState;
        bootMode = bootMode == null ? Optional.empty() : bootMode;
    }

    /** A machine whose source does not say how it boots. */
    public MachineFacts(String source, String name, int vcpus, long memoryMib, String architecture, String platform,
                        Optional<String> osName, List<Disk> disks, List<String> publicAddresses,
                        List<String> privateAddresses, Map<String, String> tags, Optional<String> sizeName,
                        Optional<Price> price, Optional<String> powerState) {
        this(source, name, vcpus, memoryMib, architecture, platform, osName, disks, publicAddresses, privateAddresses, tags,
                sizeName, price, powerState, Optional.empty());
    }

    public Optional<Disk> rootDisk() {
        return disks.stream().filter(Disk::root).findFirst();
    }

    public OptionalDouble monthlyUsd() {
        return price.map(p -> OptionalDouble.of(p.monthlyUsd())).orElse(OptionalDouble.empty());
    }

    public JsonNode toJson() {
        return Neutral.toJson(this);
    }

    public static MachineFacts fromJson(JsonNode node) {
        return Neutral.fromJson(node, MachineFacts.class);
    }
}
