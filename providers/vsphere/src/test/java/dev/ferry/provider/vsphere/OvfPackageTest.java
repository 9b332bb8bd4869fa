package dev.ferry.provider.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient.ItemFile;
import java.util.List;
import org.junit.jupiter.api.Test;

class OvfPackageTest {

    @Test
    void aCapturedDiskOverTheLimitForOneDiskImageIsNamedWithItsPlaceAndSize() {
        // vCenter lists the disks in the VM's order, the descriptor anywhere among them
        List<ItemFile> files = List.of(new ItemFile("db-02-1.vmdk", 3L << 30), new ItemFile("db-02.ovf", 4096),
                new ItemFile("db-02-2.vmdk", 216L << 30));

        List<String> problems = OvfPackage.oversizedDisks("VM 'db-02'", files);

        assertThat(problems).singleElement().asString()
                .contains("disk 2 of VM 'db-02' (db-02-2.vmdk) is 216 GiB as vCenter captured it", "215 GiB VM Import takes for one disk image");
    }

    @Test
    void capturedDisksWithinTheLimitPass() {
        assertThat(OvfPackage.oversizedDisks("VM 'app-02'", List.of(new ItemFile("app-02.ovf", 4096),
                new ItemFile("app-02-1.vmdk", 215L << 30)))).isEmpty();
    }
}
