package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.Note;
import dev.ferry.provider.linode.LinodeTarget.TypeClass;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code type: match} over a catalog shaped like Linode's (prices per month, memory and disk in MB). */
class TypeMatcherTest {

    private static final long GIB = 1024L * 1024 * 1024;

    private static LinodeType type(String id, String typeClass, int vcpus, long memoryMb, long diskMb, double monthly) {
        return new LinodeType(id, id, typeClass, vcpus, memoryMb, diskMb, 0, monthly, Map.of("br-gru", monthly * 1.2));
    }

    private static final List<LinodeType> CATALOG = List.of(
            type("g6-nanode-1", "nanode", 1, 1024, 25600, 5),
            type("g6-standard-1", "standard", 1, 2048, 51200, 12),
            type("g6-standard-2", "standard", 2, 4096, 81920, 24),
            type("g6-standard-4", "standard", 4, 8192, 163840, 48),
            type("g6-standard-6", "standard", 6, 16384, 327680, 96),
            type("g6-standard-8", "standard", 8, 32768, 655360, 192),
            type("g6-dedicated-2", "dedicated", 2, 4096, 81920, 36),
            type("g6-dedicated-4", "dedicated", 4, 8192, 163840, 72),
            type("g6-dedicated-16", "dedicated", 16, 32768, 655360, 288),
            type("g7-highmem-1", "highmem", 2, 24576, 20480, 60),
            type("g7-highmem-2", "highmem", 2, 49152, 40960, 120),
            new LinodeType("g1-gpu-rtx6000-1", "Dedicated 32GB + RTX6000 GPU x1", "gpu", 8, 32768, 655360, 1, 1000, Map.of()));

    private final TypeMatcher matcher = new TypeMatcher(CATALOG);

    private static MachineFacts facts(int vcpus, long memoryMib, long rootBytes) {
        return new MachineFacts("ec2", "i-0abc", vcpus, memoryMib, null, null, Optional.empty(),
                List.of(new MachineFacts.Disk("/dev/xvda", rootBytes, true, Optional.empty(), false)), List.of(), List.of(), Map.of(),
                Optional.of("t3.medium"), Optional.of(new MachineFacts.Price(30.37, "On-Demand Linux, us-west-1")), Optional.empty());
    }

    private TypeMatcher.Choice match(int vcpus, long memoryMib, long rootBytes, TypeClass preferred) {
        MachineFacts facts = facts(vcpus, memoryMib, rootBytes);
        return matcher.match(TypeMatcher.Need.of(facts, rootBytes, "the root volume /dev/xvda"), preferred, "us-lax", facts);
    }

    private static String chosen(TypeMatcher.Choice choice) {
        return choice.type().map(LinodeType::id).orElse("(none)");
    }

    @Test
    void picksTheCheapestStandardTypeWithTheSourcesVcpusAndMemory() {
        TypeMatcher.Choice choice = match(2, 4096, 8 * GIB, TypeClass.STANDARD);

        assertThat(chosen(choice)).isEqualTo("g6-standard-2");
        assertThat(choice.notes()).singleElement().satisfies(note -> {
            assertThat(note.level()).isEqualTo(Note.Level.INFO);
            assertThat(note.text()).isEqualTo("type: match chose g6-standard-2 (g6-standard-2, standard): 2 vCPUs for the source's 2,"
                    + " 4 GiB memory for 4 GiB, 80 GiB disk for the root volume /dev/xvda (8 GiB) and 512 MiB swap."
                    + " $24.00/month in us-lax, against $30.37/month for t3.medium (On-Demand Linux, us-west-1)");
        });
    }

    @Test
    void theNanodeIsAStandardChoiceWhenItFits() {
        assertThat(chosen(match(1, 512, 4 * GIB, TypeClass.STANDARD))).isEqualTo("g6-nanode-1");
        assertThat(chosen(match(1, 1024, 10 * GIB, TypeClass.STANDARD))).isEqualTo("g6-nanode-1");
    }

    @Test
    void theDiskMustHoldTheImageAndTheSwapDisk() {
        // 25 GiB would fill the nanode's 25 GiB disk exactly, leaving no room for swap.
        assertThat(chosen(match(1, 1024, 25 * GIB, TypeClass.STANDARD))).isEqualTo("g6-standard-1");
        assertThat(chosen(match(1, 1024, 25 * GIB - 512L * 1024 * 1024, TypeClass.STANDARD))).isEqualTo("g6-nanode-1");
    }

    @Test
    void memoryDecidesWhenVcpusAreFew() {
        assertThat(chosen(match(1, 8192, 8 * GIB, TypeClass.STANDARD))).isEqualTo("g6-standard-4");
    }

    @Test
    void theDedicatedClassIsPreferredWhenAskedFor() {
        assertThat(chosen(match(4, 8192, 8 * GIB, TypeClass.DEDICATED))).isEqualTo("g6-dedicated-4");
    }

    @Test
    void theHighMemoryClassIsPreferredWhenAskedFor() {
        assertThat(chosen(match(2, 16384, 8 * GIB, TypeClass.HIGHMEM))).isEqualTo("g7-highmem-1");
        assertThat(chosen(match(2, 16384, 8 * GIB, TypeClass.STANDARD))).isEqualTo("g6-standard-6");
    }

    @Test
    void fallsBackToAnotherClassWithAWarningWhenThePreferredOneHasNothingBigEnough() {
        TypeMatcher.Choice choice = match(2, 16384, 400 * GIB, TypeClass.HIGHMEM);

        assertThat(chosen(choice)).isEqualTo("g6-standard-8");
        assertThat(choice.notes()).singleElement().satisfies(note -> {
            assertThat(note.level()).isEqualTo(Note.Level.WARNING);
            assertThat(note.text()).startsWith("no highmem Linode type has at least 2 vCPUs, 16 GiB memory and 400.5 GiB disk,"
                    + " so type: match chose g6-standard-8 (g6-standard-8, standard) from the standard class");
        });
    }

    @Test
    void nothingBigEnoughIsAnErrorNamingTheLargestType() {
        TypeMatcher.Choice choice = match(64, 1024 * 1024, 8 * GIB, TypeClass.STANDARD);

        assertThat(choice.type()).isEmpty();
        assertThat(choice.errors()).singleElement().asString()
                .startsWith("no Linode type has at least 64 vCPUs, 1024 GiB memory")
                .contains("the largest, g7-highmem-2")
                .contains("set type: to a type id to accept a smaller Linode");
    }

    @Test
    void neverPicksAGpuType() {
        assertThat(chosen(match(8, 32768, 600 * GIB, TypeClass.DEDICATED))).isNotEqualTo("g1-gpu-rtx6000-1");
    }

    @Test
    void pricesAreThoseOfTheTargetRegion() {
        MachineFacts facts = facts(2, 4096, 8 * GIB);
        TypeMatcher.Choice choice = matcher.match(TypeMatcher.Need.of(facts, 8 * GIB, "the image"), TypeClass.STANDARD, "br-gru", facts);

        assertThat(choice.notes().get(0).text()).contains("$28.80/month in br-gru");
    }

    @Test
    void anUnknownSourcePriceIsSaid() {
        MachineFacts facts = new MachineFacts("vsphere", "app-02", 2, 4096, null, null, Optional.empty(), List.of(), List.of(),
                List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty());
        TypeMatcher.Choice choice = matcher.match(TypeMatcher.Need.of(facts, 0, "the image"), TypeClass.STANDARD, "us-lax", facts);

        assertThat(choice.notes().get(0).text()).endsWith("$24.00/month in us-lax (the source's price is not known)");
    }

    @Test
    void anExplicitTypeMustExistAndTheErrorSuggestsOne() {
        MachineFacts facts = facts(2, 4096, 8 * GIB);

        TypeMatcher.Choice choice = matcher.check("g6-standard-3", TypeMatcher.Need.of(facts, 8 * GIB, "the image"), "us-lax", facts);

        assertThat(choice.errors()).containsExactly("type 'g6-standard-3' is not a Linode type; for this machine g6-standard-2 fits,"
                + " or write type: match");
    }

    @Test
    void anExplicitTypeTooSmallForTheImageIsAnErrorAndSmallerThanTheSourceAWarning() {
        MachineFacts facts = facts(2, 4096, 30 * GIB);

        TypeMatcher.Choice tooSmall = matcher.check("g6-nanode-1", TypeMatcher.Need.of(facts, 30 * GIB, "the root volume"), "us-lax", facts);
        TypeMatcher.Choice smaller = matcher.check("g6-standard-1", TypeMatcher.Need.of(facts, 30 * GIB, "the root volume"), "us-lax", facts);

        assertThat(tooSmall.errors()).singleElement().asString().contains("has a 25 GiB disk, too small for the root volume (30 GiB)");
        assertThat(smaller.errors()).isEmpty();
        assertThat(smaller.type().map(LinodeType::id)).contains("g6-standard-1");
        assertThat(smaller.notes()).extracting(Note::level).containsExactly(Note.Level.WARNING, Note.Level.INFO);
        assertThat(smaller.notes().get(0).text()).contains("has 1 vCPU and 2 GiB memory, less than the source's 2 vCPUs and 4 GiB");
    }

    @Test
    void aTypeChosenEarlierIsKeptWhileItStillSuits() {
        TypeMatcher.Need need = TypeMatcher.Need.of(facts(2, 4096, 8 * GIB), 8 * GIB, "the image");

        assertThat(TypeMatcher.suits(matcher.find("g6-standard-4").orElseThrow(), need, TypeClass.STANDARD)).isTrue();
        assertThat(TypeMatcher.suits(matcher.find("g6-standard-1").orElseThrow(), need, TypeClass.STANDARD)).isFalse();
        assertThat(TypeMatcher.suits(matcher.find("g6-dedicated-2").orElseThrow(), need, TypeClass.STANDARD)).isFalse();
    }
}
