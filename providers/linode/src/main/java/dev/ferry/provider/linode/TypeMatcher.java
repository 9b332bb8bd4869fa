package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.Note;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses a Linode type for {@code type: match}: the cheapest (in the target region) whose vCPUs, memory and
 * disk are at least what the source has and the image needs, in the class the file prefers, falling back to
 * the other general-purpose classes (with a note) when that class has nothing big enough. An explicit type id
 * is checked to exist and to hold the image. The disk must also hold the 512 MiB swap disk Linode makes by
 * default next to the image.
 */
final class TypeMatcher {

    /** The swap disk Linode adds when it deploys an image ({@code swap_size} defaults to 512 MB). */
    static final long SWAP_MB = 512;

    /** Classes a fallback may pick: general-purpose machines, never GPU or accelerated ones. */
    private static final Set<String> GENERAL_PURPOSE = Set.of("nanode", "standard", "dedicated", "highmem", "premium");

    /** What the new Linode must have: the source's vCPUs and memory, and room for an image of {@code diskBytes}. */
    record Need(int vcpus, long memoryMib, long diskBytes, String diskWhat, long extraMb, String extraWhat) {
        Need {
            requireNonNull(diskWhat, "diskWhat is null");
            requireNonNull(extraWhat, "extraWhat is null");
        }

        Need(int vcpus, long memoryMib, long diskBytes, String diskWhat) {
            this(vcpus, memoryMib, diskBytes, diskWhat, SWAP_MB, "512 MiB swap");
        }

        static Need of(MachineFacts facts, long diskBytes, String diskWhat) {
            return new Need(facts.vcpus(), facts.memoryMib(), diskBytes, diskWhat);
        }

        /** The disk road: no swap disk, but the temporary helper's disk beside the raw one while it is written. */
        Need withExtra(long mb, String what) {
            return new Need(vcpus, memoryMib, diskBytes, diskWhat, mb, what);
        }

        long diskMb() {
            return Sizes.ceilMebibytes(diskBytes) + extraMb;
        }
    }

    /** The chosen type (absent when none fits), the notes explaining it, and errors that stop the plan. */
    record Choice(Optional<LinodeType> type, List<Note> notes, List<String> errors) {
        Choice {
            type = type == null ? Optional.empty() : type;
            notes = List.copyOf(notes);
            errors = List.copyOf(errors);
        }
    }

    private final List<LinodeType> types;

    TypeMatcher(List<LinodeType> types) {
        this.types = List.copyOf(types);
    }

    /** The classes {@code preferred} stands for: standard is the shared-CPU class, with the nanode when it fits. */
    static Set<String> classes(LinodeTarget.TypeClass preferred) {
        return switch (preferred) {
            case STANDARD -> Set.of("standard", "nanode");
            case DEDICATED -> Set.of("dedicated");
            case HIGHMEM -> Set.of("highmem");
        };
    }

    static String spelling(LinodeTarget.TypeClass preferred) {
        return switch (preferred) {
            case STANDARD -> "standard";
            case DEDICATED -> "dedicated";
            case HIGHMEM -> "highmem";
        };
    }

    Choice match(Need need, LinodeTarget.TypeClass preferred, String region, MachineFacts facts) {
        Comparator<LinodeType> cheapest = Comparator.comparingDouble((LinodeType t) -> t.monthlyIn(region))
                .thenComparingLong(LinodeType::memoryMb).thenComparing(LinodeType::id);
        Set<String> wanted = classes(preferred);
        Optional<LinodeType> inClass = types.stream().filter(t -> wanted.contains(t.typeClass())).filter(t -> fits(t, need))
                .min(cheapest);
        List<Note> notes = new ArrayList<>();
        if (inClass.isPresent()) {
            notes.add(Note.info("type: match chose " + inClass.get().describe() + ": " + reasons(inClass.get(), need)
                    + ". " + prices(inClass.get(), region, facts)));
            return new Choice(inClass, notes, List.of());
        }
        Optional<LinodeType> elsewhere = types.stream().filter(t -> GENERAL_PURPOSE.contains(t.typeClass()))
                .filter(t -> fits(t, need)).min(cheapest);
        if (elsewhere.isPresent()) {
            notes.add(Note.warning("no " + spelling(preferred) + " Linode type has " + needs(need) + ", so type: match chose "
                    + elsewhere.get().describe() + " from the " + elsewhere.get().typeClass() + " class: "
                    + reasons(elsewhere.get(), need) + ". " + prices(elsewhere.get(), region, facts)));
            return new Choice(elsewhere, notes, List.of());
        }
        LinodeType largest = types.stream().filter(t -> GENERAL_PURPOSE.contains(t.typeClass()))
                .max(Comparator.comparingLong(LinodeType::memoryMb).thenComparingInt(LinodeType::vcpus)).orElse(null);
        return new Choice(Optional.empty(), List.of(), List.of("no Linode type has " + needs(need)
                + (largest == null ? "" : " (the largest, " + largest.describe() + ", has " + largest.vcpus() + " vCPUs, "
                + Sizes.mebibytes(largest.memoryMb()) + " memory and " + Sizes.mebibytes(largest.diskMb()) + " disk)")
                + "; set type: to a type id to accept a smaller Linode"));
    }

    /** Checks an explicit type id: it must exist and hold the image; being smaller than the source is a warning. */
    Choice check(String id, Need need, String region, MachineFacts facts) {
        Optional<LinodeType> type = types.stream().filter(t -> t.id().equals(id)).findFirst();
        if (type.isEmpty()) {
            Optional<LinodeType> suggestion = facts == null ? Optional.empty()
                    : match(need, LinodeTarget.TypeClass.STANDARD, region, facts).type();
            return new Choice(Optional.empty(), List.of(), List.of("type '" + id + "' is not a Linode type"
                    + suggestion.map(s -> "; for this machine " + s.id() + " fits, or write type: match").orElse(
                            "; see `linode-cli linodes types`, or write type: match")));
        }
        LinodeType chosen = type.get();
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        if (chosen.diskMb() < need.diskMb()) {
            errors.add(chosen.describe() + " has a " + Sizes.mebibytes(chosen.diskMb()) + " disk, too small for "
                    + need.diskWhat() + " (" + Sizes.bytes(need.diskBytes()) + ") and the " + need.extraWhat() + " disk; choose a type"
                    + " with at least " + Sizes.mebibytes(need.diskMb()) + " of disk, or write type: match");
        }
        if (facts != null && (chosen.vcpus() < need.vcpus() || chosen.memoryMb() < need.memoryMib())) {
            notes.add(Note.warning(chosen.describe() + " has " + chosen.vcpus() + " vCPU" + (chosen.vcpus() == 1 ? "" : "s")
                    + " and " + Sizes.mebibytes(chosen.memoryMb()) + " memory, less than the source's " + need.vcpus()
                    + " vCPUs and " + Sizes.mebibytes(need.memoryMib())));
        }
        if (facts != null) {
            notes.add(Note.info("type " + chosen.describe() + ": " + prices(chosen, region, facts)));
        }
        return new Choice(errors.isEmpty() ? type : Optional.empty(), notes, errors);
    }

    /** Whether {@code type} still suits {@code need} in the preferred class (a type chosen earlier is kept then). */
    static boolean suits(LinodeType type, Need need, LinodeTarget.TypeClass preferred) {
        return classes(preferred).contains(type.typeClass()) && fits(type, need);
    }

    Optional<LinodeType> find(String id) {
        return types.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    static boolean fits(LinodeType type, Need need) {
        return type.vcpus() >= need.vcpus() && type.memoryMb() >= need.memoryMib() && type.diskMb() >= need.diskMb()
                && type.gpus() == 0;
    }

    private static String needs(Need need) {
        return "at least " + need.vcpus() + " vCPU" + (need.vcpus() == 1 ? "" : "s") + ", " + Sizes.mebibytes(need.memoryMib())
                + " memory and " + Sizes.mebibytes(need.diskMb()) + " disk";
    }

    private static String reasons(LinodeType type, Need need) {
        return type.vcpus() + " vCPU" + (type.vcpus() == 1 ? "" : "s") + " for the source's " + need.vcpus() + ", "
                + Sizes.mebibytes(type.memoryMb()) + " memory for " + Sizes.mebibytes(need.memoryMib()) + ", "
                + Sizes.mebibytes(type.diskMb()) + " disk for " + need.diskWhat() + " (" + Sizes.bytes(need.diskBytes())
                + ") and " + need.extraWhat();
    }

    private static String prices(LinodeType type, String region, MachineFacts facts) {
        String linode = Sizes.dollars(type.monthlyIn(region)) + "/month in " + region;
        if (facts == null) {
            return linode;
        }
        String source = facts.sizeName().map(size -> size + " ").orElse("the source ");
        return linode + facts.price()
                .map(price -> ", against " + Sizes.dollars(price.monthlyUsd()) + "/month for " + source.strip()
                        + (price.basis().isBlank() ? "" : " (" + price.basis() + ")"))
                .orElse(" (the source's price is not known)");
    }
}
