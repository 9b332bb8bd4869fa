package dev.ferry.provider.vsphere.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OvfParserTest {

    private static final String HEAD = "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/%s\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/%s\" "
            + "xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\" "
            + "xmlns:vmw=\"http://www.vmware.com/schema/ovf\">";

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({
        "byte * 2^20, 4096, 4294967296",
        "byte*2^30, 4, 4294967296",
        "MegaBytes, 2048, 2147483648",
        "byte * 1024 * 1024, 1, 1048576",
        "byte * 10^6, 3, 3000000",
    })
    void readsMemoryInTheUnitsOvfWritersUse(String units, long quantity, long bytes) {
        OvfDescriptor descriptor = parse("1", system("<Item><rasd:AllocationUnits>" + units + "</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType>"
                + "<rasd:VirtualQuantity>" + quantity + "</rasd:VirtualQuantity></Item>"));

        assertThat(descriptor.memoryBytes()).hasValue(bytes);
    }

    @Test
    void refusesUnitsItDoesNotUnderstand() {
        assertThatThrownBy(() -> parse("1", system("<Item><rasd:AllocationUnits>furlongs</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType>"
                + "<rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>")))
                .isInstanceOf(ImageException.class).hasMessageContaining("'furlongs'");
    }

    @Test
    void readsOvf2Descriptors() {
        OvfDescriptor descriptor = parse("2", system("<Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>8</rasd:VirtualQuantity></Item>"));

        assertThat(descriptor.cpus()).hasValue(8);
        assertThat(descriptor.vmName()).isEqualTo("vm1");
    }

    @Test
    void countsOnlyTheDefaultDeploymentConfiguration() {
        String xml = String.format(HEAD, "1", "1")
                + "<DeploymentOptionSection><Configuration ovf:id=\"small\"/><Configuration ovf:id=\"large\" ovf:default=\"true\"/></DeploymentOptionSection>"
                + "<VirtualSystem ovf:id=\"vm1\"><VirtualHardwareSection>"
                + "<Item ovf:configuration=\"small\"><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>"
                + "<Item ovf:configuration=\"large\"><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>16</rasd:VirtualQuantity></Item>"
                + "</VirtualHardwareSection></VirtualSystem></Envelope>";

        assertThat(OvfParser.parse(xml.getBytes(StandardCharsets.UTF_8), "x.ovf").cpus()).hasValue(16);
    }

    @Test
    void refusesAVappOfSeveralVms() {
        String xml = String.format(HEAD, "1", "1") + "<VirtualSystemCollection ovf:id=\"app\"><VirtualSystem ovf:id=\"a\"/><VirtualSystem ovf:id=\"b\"/>"
                + "</VirtualSystemCollection></Envelope>";

        assertThatThrownBy(() -> OvfParser.parse(xml.getBytes(StandardCharsets.UTF_8), "app.ovf"))
                .isInstanceOf(ImageException.class).hasMessageContaining("vApp of 2 virtual machines");
    }

    @Test
    void refusesEntityExpansionBombs() {
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>" + String.format(HEAD, "1", "1") + "<VirtualSystem ovf:id=\"x\">"
                + "<Name>&lol3;</Name></VirtualSystem></Envelope>";

        assertThatThrownBy(() -> OvfParser.parse(bomb.getBytes(StandardCharsets.UTF_8), "bomb.ovf"))
                .isInstanceOf(ImageException.class).hasMessageContaining("DOCTYPE").hasMessageContaining("line 1");
    }

    @Test
    void refusesXmlThatIsNotAnOvfEnvelope() {
        assertThatThrownBy(() -> OvfParser.parse("<html><body/></html>".getBytes(StandardCharsets.UTF_8), "page.ovf"))
                .isInstanceOf(ImageException.class).hasMessageContaining("not an OVF envelope");
        assertThatThrownBy(() -> OvfParser.parse("<Envelope".getBytes(StandardCharsets.UTF_8), "cut.ovf"))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a well-formed OVF descriptor");
    }

    @Test
    void aCapacityLeftAsAPropertyIsExplained() {
        String xml = String.format(HEAD, "1", "1") + "<References><File ovf:id=\"f1\" ovf:href=\"d.vmdk\"/></References>"
                + "<DiskSection><Disk ovf:diskId=\"d1\" ovf:fileRef=\"f1\" ovf:capacity=\"${disk.size}\"/></DiskSection>"
                + "<VirtualSystem ovf:id=\"x\"/></Envelope>";

        assertThatThrownBy(() -> OvfParser.parse(xml.getBytes(StandardCharsets.UTF_8), "p.ovf"))
                .isInstanceOf(ImageException.class).hasMessageContaining("OVF properties are not supported");
    }

    private static String system(String items) {
        return "<VirtualSystem ovf:id=\"vm1\"><VirtualHardwareSection>" + items + "</VirtualHardwareSection></VirtualSystem></Envelope>";
    }

    private static OvfDescriptor parse(String version, String rest) {
        return OvfParser.parse((String.format(HEAD, version, version) + rest).getBytes(StandardCharsets.UTF_8), "vm.ovf");
    }
}
