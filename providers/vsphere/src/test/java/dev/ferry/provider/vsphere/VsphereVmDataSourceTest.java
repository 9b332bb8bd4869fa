package dev.ferry.provider.vsphere;

import static dev.ferry.provider.vsphere.testing.ImageFixtures.rawDisk;
import static dev.ferry.provider.vsphere.testing.ImageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.provider.vsphere.testing.FakeVcenter;
import dev.ferry.provider.vsphere.testing.ImageFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsphereVmDataSourceTest {

    private static final int MIB = 1 << 20;
    private static final String USER = "administrator@vsphere.local";
    private static final String PASSWORD = "vc-Passw0rd-for-tests";

    @TempDir
    Path dir;

    private FakeVcenter vcenter;
    private VcenterConnection connection;

    @BeforeEach
    void start() throws IOException {
        vcenter = FakeVcenter.http(USER, PASSWORD);
        connection = connection(PASSWORD, false);
    }

    @AfterEach
    void stop() {
        connection.close();
        vcenter.close();
    }

    @Test
    void readsMachineFactsAndDiskImageFromAnOvaAlone() throws IOException {
        Path ova = write(dir.resolve("app-02.ova"),
                ImageFixtures.ova("app-02", 2, 4096, "ubuntu64Guest", 94, "efi", List.of(rawDisk(MIB, true), rawDisk(2 * MIB, false))));

        DataResult.Found found = found(read(Optional.empty(), request("app-02", ova, null, null)));

        MachineFacts machine = MachineFacts.fromJson(found.outputs().get("machine"));
        assertThat(machine.source()).isEqualTo("vsphere");
        assertThat(machine.name()).isEqualTo("app-02");
        assertThat(machine.vcpus()).isEqualTo(2);
        assertThat(machine.memoryMib()).isEqualTo(4096);
        assertThat(machine.platform()).isEqualTo("linux");
        assertThat(machine.architecture()).isEqualTo(MachineFacts.X86_64);
        assertThat(machine.disks()).extracting(MachineFacts.Disk::sizeBytes).containsExactly((long) MIB, 2L * MIB);
        assertThat(machine.rootDisk()).hasValueSatisfying(disk -> assertThat(disk.name()).isEqualTo("vmdisk1"));
        assertThat(machine.powerState()).isEmpty();
        assertThat(found.outputs().path(MachineFacts.PRICE_NOT_APPLICABLE).asText()).as("the plan's cost table shows no price for a VM on-premises")
                .isEqualTo("on-premises");
        assertThat(found.outputs().get("boot_mode").asText()).isEqualTo("uefi");
        assertThat(machine.bootMode()).as("an OVA's descriptor carries its firmware to ImportImage itself").isEmpty();

        JsonNode diskImage = found.outputs().get("disk_image");
        assertThat(diskImage.get("kind").asText()).isEqualTo("file");
        assertThat(diskImage.get("format").asText()).isEqualTo("ova");
        assertThat(diskImage.get("size_bytes").asLong()).isEqualTo(ova.toFile().length());
        assertThat(diskImage.get("location").get("path").asText()).isEqualTo(ova.toString());
        assertThat(DiskImage.fromJson(diskImage).description()).isEqualTo(ova.toString());
        assertThat(texts(found, Note.Level.INFO)).anySatisfy(text -> assertThat(text).contains("app-02.ova: OVA (recognised by its content)"))
                .anySatisfy(text -> assertThat(text).contains("2 disks").contains("multi-disk"));
        assertThat(texts(found, Note.Level.WARNING)).isEmpty();
        assertThat(vcenter.log()).isEmpty();
    }

    @Test
    void asksVcenterForEveryVmWithOneListCallAndTrustsItsFigures() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 4, 8192, MIB);
        vcenter.addVm("vm-43", "db-01", "RHEL_8_64", "POWERED_OFF", 8, 32768, 2L * MIB);
        vcenter.addVm("vm-44", "win-01", "WINDOWS_9_SERVER_64", "POWERED_OFF", 2, 4096, MIB).with("boot").put("type", "EFI");
        Path app = write(dir.resolve("app-02.ova"), ImageFixtures.ova("app-02", 4, 8192, "ubuntu64Guest", 94, "bios", List.of(rawDisk(MIB, false))));
        Path db = write(dir.resolve("db-01.vmdk"), ImageFixtures.streamOptimizedVmdk(rawDisk(2 * MIB, false), "db-01.vmdk"));
        Path win = write(dir.resolve("win-01.vhd"), ImageFixtures.fixedVhd(rawDisk(MIB, false)));

        Map<ResourceAddress, DataResult> results = read(Optional.of(connection),
                request("app-02", app, "app-02", vcenter.endpoint().toString()),
                request("db-01", db, "db-01", vcenter.endpoint().toString()),
                request("win-01", win, "win-01", vcenter.endpoint().toString()));

        MachineFacts db01 = MachineFacts.fromJson(found(results.get(address("db-01"))).outputs().get("machine"));
        assertThat(db01.vcpus()).isEqualTo(8);
        assertThat(db01.memoryMib()).isEqualTo(32768);
        assertThat(db01.platform()).isEqualTo("linux");
        assertThat(db01.powerState()).hasValue("POWERED_OFF");
        assertThat(db01.price()).isEmpty();
        assertThat(found(results.get(address("db-01"))).outputs().path(MachineFacts.PRICE_NOT_APPLICABLE).asText()).isEqualTo("on-premises");
        assertThat(db01.disks()).singleElement().satisfies(disk -> {
            assertThat(disk.name()).isEqualTo("Hard disk 1");
            assertThat(disk.sizeBytes()).isEqualTo(2L * MIB);
        });
        DataResult.Found win01 = found(results.get(address("win-01")));
        assertThat(MachineFacts.fromJson(win01.outputs().get("machine")).platform()).isEqualTo("windows");
        assertThat(win01.outputs().get("boot_mode").asText()).isEqualTo("uefi");
        assertThat(MachineFacts.fromJson(win01.outputs().get("machine")).bootMode())
                .as("a single VHD does not carry the EFI firmware vCenter reports: the machine does, for ImportImage's BootMode")
                .hasValue(MachineFacts.UEFI);
        assertThat(MachineFacts.fromJson(found(results.get(address("app-02"))).outputs().get("machine")).bootMode()).isEmpty();
        assertThat(win01.outputs().get("vm_id").asText()).isEqualTo("vm-44");
        assertThat(win01.outputs().get("disk_image").get("format").asText()).isEqualTo("vhd");
        assertThat(found(results.get(address("app-02"))).outputs().get("boot_mode").asText()).isEqualTo("legacy-bios");
        assertThat(vcenter.log()).containsExactly("POST /api/session", "GET /api/vcenter/vm?names=app-02&names=db-01&names=win-01",
                "GET /api/vcenter/vm/vm-42", "GET /api/vcenter/vm/vm-43", "GET /api/vcenter/vm/vm-44");
    }

    @Test
    void warnsThatAnExportFromARunningVmMayBeInconsistent() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_ON", 2, 4096, MIB);
        Path image = write(dir.resolve("app-02.vmdk"), ImageFixtures.streamOptimizedVmdk(rawDisk(MIB, false), "app-02.vmdk"));

        DataResult.Found found = found(read(Optional.of(connection), request("app-02", image, "app-02", vcenter.endpoint().toString())));

        assertThat(found.outputs().get("power_state").asText()).isEqualTo("POWERED_ON");
        assertThat(texts(found, Note.Level.WARNING)).singleElement().asString().contains("is powered on").contains("inconsistent");
        assertThat(texts(found, Note.Level.INFO)).anySatisfy(text -> assertThat(text).contains("(vm-42) is POWERED_ON"));
    }

    @Test
    void aVmVcenterDoesNotKnowFailsThePlan() throws IOException {
        Path image = write(dir.resolve("ghost.img"), rawDisk(MIB, false));

        DataResult result = read(Optional.of(connection), request("ghost", image, "ghost", vcenter.endpoint().toString()));

        assertThat(result).isInstanceOfSatisfying(DataResult.Failed.class,
                failed -> assertThat(failed.message()).contains("has no VM named 'ghost'"));
    }

    @Test
    void aNameTwoVmsShareIsAmbiguous() throws IOException {
        vcenter.addVm("vm-1", "web", "UBUNTU_64", "POWERED_OFF", 1, 1024, MIB);
        vcenter.addVm("vm-2", "web", "UBUNTU_64", "POWERED_OFF", 1, 1024, MIB);
        Path image = write(dir.resolve("web.img"), rawDisk(MIB, false));

        DataResult result = read(Optional.of(connection), request("web", image, "web", vcenter.endpoint().toString()));

        assertThat(result).isInstanceOfSatisfying(DataResult.Failed.class,
                failed -> assertThat(failed.message()).contains("2 VMs named 'web' (vm-1, vm-2)"));
    }

    @Test
    void aRefusedLoginFailsEveryVcenterReadWithoutShowingThePassword() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 2, 4096, MIB);
        Path image = write(dir.resolve("app-02.img"), rawDisk(MIB, false));
        Path alone = write(dir.resolve("alone.img"), rawDisk(MIB, false));
        try (VcenterConnection wrong = connection("wrong-password-123", false)) {
            Map<ResourceAddress, DataResult> results = read(Optional.of(wrong),
                    request("app-02", image, "app-02", vcenter.endpoint().toString()), request("alone", alone, null, null));

            assertThat(results.get(address("app-02"))).isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                    .contains("refused the user name and password").doesNotContain("wrong-password-123"));
            assertThat(results.get(address("alone"))).isInstanceOf(DataResult.Found.class);
        }
    }

    @Test
    void aRawImageAloneLeavesCpuAndMemoryUnknownAndSaysSo() throws IOException {
        Path image = write(dir.resolve("disk.img"), rawDisk(4 * MIB, false));

        DataResult.Found found = found(read(Optional.empty(), request("disk", image, null, null)));

        MachineFacts machine = MachineFacts.fromJson(found.outputs().get("machine"));
        assertThat(machine.vcpus()).isZero();
        assertThat(machine.memoryMib()).isZero();
        assertThat(machine.platform()).isEqualTo("unknown");
        assertThat(machine.disks()).singleElement().satisfies(disk -> assertThat(disk.sizeBytes()).isEqualTo(4L * MIB));
        assertThat(texts(found, Note.Level.WARNING))
                .anySatisfy(text -> assertThat(text).contains("does not say how many vCPUs").contains("explicit instance type"))
                .anySatisfy(text -> assertThat(text).contains("guest operating system is not known"));
    }

    @Test
    void refusesGarbageAndMissingFilesAtPlanTime() throws IOException {
        Path garbage = write(dir.resolve("garbage.ova"), "this is not a disk image at all".repeat(100).getBytes());
        Path missing = dir.resolve("missing.ova");

        Map<ResourceAddress, DataResult> results = read(Optional.empty(), request("garbage", garbage, null, null),
                request("missing", missing, null, null));

        assertThat(results.get(address("garbage"))).isInstanceOfSatisfying(DataResult.Failed.class,
                failed -> assertThat(failed.message()).contains("not a disk image ferry recognises"));
        assertThat(results.get(address("missing"))).isInstanceOfSatisfying(DataResult.Failed.class,
                failed -> assertThat(failed.message()).contains("does not exist"));
    }

    @Test
    void refusesATruncatedImageBeforeAnythingIsUploaded() throws IOException {
        byte[] vmdk = ImageFixtures.streamOptimizedVmdk(rawDisk(MIB, false), "cut.vmdk");
        Path image = write(dir.resolve("cut.vmdk"), ImageFixtures.truncated(vmdk, 700));

        assertThat(read(Optional.empty(), request("cut", image, null, null))).isInstanceOfSatisfying(DataResult.Failed.class,
                failed -> assertThat(failed.message()).contains("truncated"));
    }

    @Test
    void refusesMoreDisksThanVmImportTakes() throws IOException {
        long[] disks = new long[22];
        java.util.Arrays.fill(disks, MIB);
        vcenter.addVm("vm-5", "many", "UBUNTU_64", "POWERED_OFF", 2, 2048, disks);
        Path image = write(dir.resolve("many.img"), rawDisk(MIB, false));

        assertThat(read(Optional.of(connection), request("many", image, "many", vcenter.endpoint().toString())))
                .isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message()).contains("22 disks").contains("21"));
    }

    @Test
    void refusesADiskLargerThanAnImportedVolumeCanBe() throws IOException {
        vcenter.addVm("vm-6", "huge", "UBUNTU_64", "POWERED_OFF", 2, 2048, 17L << 40);
        Path image = write(dir.resolve("huge.img"), rawDisk(MIB, false));

        assertThat(read(Optional.of(connection), request("huge", image, "huge", vcenter.endpoint().toString())))
                .isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message()).contains("Hard disk 1").contains("16 TiB"));
    }

    @Test
    void warnsAbout32BitAndUnlistedGuests() throws IOException {
        vcenter.addVm("vm-7", "old", "UBUNTU", "POWERED_OFF", 1, 1024, MIB);
        vcenter.addVm("vm-8", "bsd", "FREEBSD_64", "POWERED_OFF", 1, 1024, MIB);
        Path old = write(dir.resolve("old.img"), rawDisk(MIB, false));
        Path bsd = write(dir.resolve("bsd.img"), rawDisk(MIB, false));

        Map<ResourceAddress, DataResult> results = read(Optional.of(connection),
                request("old", old, "old", vcenter.endpoint().toString()), request("bsd", bsd, "bsd", vcenter.endpoint().toString()));

        assertThat(texts(found(results.get(address("old"))), Note.Level.WARNING)).anySatisfy(text -> assertThat(text).contains("32-bit"));
        assertThat(texts(found(results.get(address("bsd"))), Note.Level.WARNING))
                .anySatisfy(text -> assertThat(text).contains("neither Linux nor Windows"));
    }

    @Test
    void warnsWhenVcenterAndTheOvaDisagree() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 4, 8192, MIB, MIB);
        Path ova = write(dir.resolve("app-02.ova"), ImageFixtures.ova("app-02", 2, 4096, "ubuntu64Guest", 94, "bios", List.of(rawDisk(MIB, false))));

        DataResult.Found found = found(read(Optional.of(connection), request("app-02", ova, "app-02", vcenter.endpoint().toString())));

        assertThat(texts(found, Note.Level.WARNING))
                .anySatisfy(text -> assertThat(text).contains("4 vCPUs (the OVA says 2)").contains("8192 MiB of memory (the OVA says 4096)"))
                .anySatisfy(text -> assertThat(text).contains("has 2 disks in vCenter").contains("holds 1"));
    }

    @Test
    void warnsThatTlsChecksAreOff() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 2, 4096, MIB);
        Path image = write(dir.resolve("app-02.img"), rawDisk(MIB, false));
        try (VcenterConnection insecure = connection(PASSWORD, true)) {
            DataResult.Found found = found(read(Optional.of(insecure), request("app-02", image, "app-02", vcenter.endpoint().toString())));

            assertThat(texts(found, Note.Level.WARNING)).anySatisfy(text -> assertThat(text).contains("TLS certificate checks are off"));
        }
    }

    @Test
    void anEndpointSendsTheRequestsElsewhereWhileTheVcenterUrlStillNamesTheVms() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 4, 8192, MIB);
        Path image = write(dir.resolve("app-02.img"), rawDisk(MIB, true));
        try (VcenterConnection proxied = new VcenterConnection("https://vc.example.com", Optional.of(vcenter.endpoint().toString()),
                Optional.of(USER), Optional.of(SecretReference.of("${env:VSPHERE_PASSWORD}")), false, reference -> new Secret(PASSWORD))) {

            DataResult.Found found = found(read(Optional.of(proxied), request("app-02", image, "app-02", "https://vc.example.com")));

            assertThat(MachineFacts.fromJson(found.outputs().get("machine")).vcpus()).isEqualTo(4);
            assertThat(vcenter.log()).contains("GET /api/vcenter/vm/vm-42");
            assertThat(proxied).hasToString("vCenter https://vc.example.com (via " + vcenter.endpoint() + ")");
        }
    }

    @Test
    void aBadEndpointIsNamedAsTheEndpointNotAsTheVcenter() throws IOException {
        Path image = write(dir.resolve("app-02.img"), rawDisk(MIB, true));
        try (VcenterConnection proxied = new VcenterConnection("https://vc.example.com", Optional.of("http://bad host"),
                Optional.of(USER), Optional.of(SecretReference.of("${env:VSPHERE_PASSWORD}")), false, reference -> new Secret(PASSWORD))) {

            assertThat(read(Optional.of(proxied), request("app-02", image, "app-02", "https://vc.example.com")))
                    .isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                            .contains("the vCenter endpoint (providers.vsphere.endpoint or VSPHERE_ENDPOINT_URL) 'http://bad host' is not a URL"));
        }
    }

    @Test
    void anUnsetPasswordVariableNamesTheVariableNotAValue() throws IOException {
        Path image = write(dir.resolve("app-02.img"), rawDisk(MIB, false));
        VcenterConnection unset = new VcenterConnection(vcenter.endpoint().toString(), Optional.of(USER),
                Optional.of(SecretReference.of("${env:VSPHERE_PASSWORD}")), false, reference -> {
                    throw new FerryException("environment variable " + reference.name() + " is not set");
                });

        assertThat(read(Optional.of(unset), request("app-02", image, "app-02", vcenter.endpoint().toString())))
                .isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message()).contains("VSPHERE_PASSWORD is not set"));
    }

    @Test
    void listsEveryDiskWithItsSizeInTheOrderImportImageMakesThemBlockDevices() throws IOException {
        Path ova = write(dir.resolve("db-02.ova"),
                ImageFixtures.ova("db-02", 2, 4096, "debian10_64Guest", 96, "bios", List.of(rawDisk(MIB, false), rawDisk(2 * MIB, false))));

        DataResult.Found found = found(read(Optional.empty(), request("db-02", ova, null, null)));

        assertThat(texts(found, Note.Level.INFO)).anySatisfy(text -> assertThat(text)
                .contains("2 disks to import, in order: 1. 'vmdisk1' 1 MiB (boot), 2. 'vmdisk2' 2 MiB")
                .contains("each an EBS snapshot of one AMI, in this order"));
    }

    @Test
    void aDiskImageOverTheLimitForOneDiskIsRefusedAtPlanNamingTheDisk() throws IOException {
        Path image = write(dir.resolve("big.img"), rawDisk(MIB, false));
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(216L << 30);   // sparse: nothing but the MBR is written
        }
        Path fits = write(dir.resolve("fits.img"), rawDisk(MIB, false));

        Map<ResourceAddress, DataResult> results = read(Optional.empty(), request("big", image, null, null), request("fits", fits, null, null));

        assertThat(results.get(address("big"))).isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                .contains("disk 'big.img' is 216 GiB as uploaded", "215 GiB VM Import takes for one disk image", "zero its unused space"));
        assertThat(results.get(address("fits"))).isInstanceOf(DataResult.Found.class);
    }

    @Test
    void aVmWithSnapshotsIsExportedInItsCurrentStateAndThePlanSaysSo() throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode vm = vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 2, 4096, MIB, MIB);
        ((com.fasterxml.jackson.databind.node.ObjectNode) vm.path("disks").path("2000").path("backing"))
                .put("vmdk_file", "[datastore1] app-02/app-02-000002.vmdk");
        Path ova = write(dir.resolve("app-02.ova"),
                ImageFixtures.ova("app-02", 2, 4096, "ubuntu64Guest", 94, "bios", List.of(rawDisk(MIB, false), rawDisk(MIB, false))));

        DataResult.Found found = found(read(Optional.of(connection), request("app-02", ova, "app-02", vcenter.endpoint().toString())));

        assertThat(texts(found, Note.Level.WARNING)).anySatisfy(text -> assertThat(text)
                .contains("VM 'app-02' has snapshots ('Hard disk 1' runs on [datastore1] app-02/app-02-000002.vmdk)")
                .contains("the export takes its current state").contains("revert the VM to that snapshot first")
                .doesNotContain("Hard disk 2"));
    }

    @Test
    void aVmWithoutSnapshotsGetsNoSnapshotWarning() throws IOException {
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_OFF", 2, 4096, MIB);
        Path image = write(dir.resolve("app-02.img"), rawDisk(MIB, false));

        DataResult.Found found = found(read(Optional.of(connection), request("app-02", image, "app-02", vcenter.endpoint().toString())));

        assertThat(texts(found, Note.Level.WARNING)).noneSatisfy(text -> assertThat(text).contains("snapshots"));
        assertThat(texts(found, Note.Level.INFO)).anySatisfy(text -> assertThat(text).contains("firmware BIOS: the imported AMI boots in legacy-bios mode"));
    }

    @Test
    void aThirtyTwoBitGuestOnEfiFirmwareIsRefusedNamingBothAndTheWayOut() throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode vm = vcenter.addVm("vm-7", "old", "UBUNTU", "POWERED_OFF", 1, 1024, MIB);
        ((com.fasterxml.jackson.databind.node.ObjectNode) vm.path("boot")).put("type", "EFI");
        vcenter.addVm("vm-8", "new", "UBUNTU_64", "POWERED_OFF", 1, 1024, MIB).with("boot").put("type", "EFI");
        Path old = write(dir.resolve("old.img"), rawDisk(MIB, true));
        Path fresh = write(dir.resolve("new.img"), rawDisk(MIB, true));

        Map<ResourceAddress, DataResult> results = read(Optional.of(connection),
                request("old", old, "old", vcenter.endpoint().toString()), request("new", fresh, "new", vcenter.endpoint().toString()));

        assertThat(results.get(address("old"))).isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                .contains("EFI firmware", "UBUNTU", "32-bit", "legacy BIOS only", "switch the VM to BIOS"));
        assertThat(texts(found(results.get(address("new"))), Note.Level.INFO))
                .anySatisfy(text -> assertThat(text).contains("firmware EFI: the imported AMI boots in uefi mode"));
    }

    @Test
    void aVmFerryExportsIsCheckedFromTheInventory_snapshotsFirmwareAndDisksOverTheLimit() throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode vm = vcenter.addVm("vm-42", "db-02", "DEBIAN_11_64", "POWERED_OFF", 2, 8192,
                10L << 30, 300L << 30);
        ((com.fasterxml.jackson.databind.node.ObjectNode) vm.path("disks").path("2001").path("backing"))
                .put("vmdk_file", "[datastore1] db-02/db-02_1-000001.vmdk");
        vcenter.addVm("vm-43", "old", "UBUNTU", "POWERED_OFF", 1, 1024, MIB).with("boot").put("type", "EFI");

        Map<ResourceAddress, DataResult> results = read(Optional.of(connection), exported("db-02"), exported("old"));

        List<String> warnings = texts(found(results.get(address("db-02"))), Note.Level.WARNING);
        assertThat(warnings).anySatisfy(text -> assertThat(text).contains("VM 'db-02' has snapshots ('Hard disk 2' runs on "
                + "[datastore1] db-02/db-02_1-000001.vmdk)", "the export takes its current state"));
        assertThat(warnings).anySatisfy(text -> assertThat(text).contains("disk 'Hard disk 2' is 300 GiB", "215 GiB compressed",
                "before anything is uploaded")).noneSatisfy(text -> assertThat(text).contains("'Hard disk 1' is"));
        assertThat(texts(found(results.get(address("db-02"))), Note.Level.INFO))
                .anySatisfy(text -> assertThat(text).contains("2 disks to import, in order: 1. 'Hard disk 1' 10 GiB (boot), 2. 'Hard disk 2' 300 GiB"));
        assertThat(results.get(address("old"))).isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                .contains("EFI firmware", "32-bit", "legacy BIOS only"));
    }

    private DataRequest exported(String vm) {
        return new DataRequest(address(vm), Attributes.builder().known("vm", text(vm)).known("vcenter", text(vcenter.endpoint().toString()))
                .known("export", com.fasterxml.jackson.databind.node.BooleanNode.TRUE)
                .known("shutdown", com.fasterxml.jackson.databind.node.BooleanNode.FALSE).build());
    }

    private VcenterConnection connection(String password, boolean insecure) {
        return new VcenterConnection(vcenter.endpoint().toString(), Optional.of("${env:VSPHERE_USER}"),
                Optional.of(SecretReference.of("${env:VSPHERE_PASSWORD}")), insecure,
                reference -> new Secret(reference.name().equals("VSPHERE_USER") ? USER : password));
    }

    private static DataRequest request(String name, Path image, String vm, String vcenterUrl) {
        Attributes.Builder arguments = Attributes.builder().known("disk_image", text(image.toString()));
        if (vm != null) {
            arguments.known("vm", text(vm));
        }
        if (vcenterUrl != null) {
            arguments.known("vcenter", text(vcenterUrl));
        }
        return new DataRequest(address(name), arguments.build());
    }

    private static JsonNode text(String value) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(value);
    }

    private static ResourceAddress address(String name) {
        return ResourceAddress.data("vsphere_vm", name);
    }

    private static Map<ResourceAddress, DataResult> read(Optional<VcenterConnection> connection, DataRequest... requests) {
        return new VsphereVmDataSource(connection).read(List.of(requests));
    }

    private static DataResult read(Optional<VcenterConnection> connection, DataRequest request) {
        return new VsphereVmDataSource(connection).read(List.of(request)).get(request.address());
    }

    private static DataResult.Found found(DataResult result) {
        assertThat(result).isInstanceOf(DataResult.Found.class);
        return (DataResult.Found) result;
    }

    private static List<String> texts(DataResult.Found found, Note.Level level) {
        List<String> texts = new ArrayList<>();
        found.notes().stream().filter(note -> note.level() == level).forEach(note -> texts.add(note.text()));
        return texts;
    }

}
