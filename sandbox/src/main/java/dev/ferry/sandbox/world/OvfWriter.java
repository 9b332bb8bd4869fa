package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The OVF 1.0 descriptor of a VM as vCenter's "Export OVF Template" writes it: the disk files, the disks
 * with their capacities, the networks, and a virtual system with its guest OS (CIM code and VMware guest
 * id), CPUs, memory, SCSI controller, disks, network adapters and firmware.
 */
final class OvfWriter {

    static final String VMW = "http://www.vmware.com/schema/ovf";
    static final String STREAM_OPTIMIZED =
            "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";

    /** A disk file in the package: its name, size, and the disk's capacity and populated size. */
    record DiskFile(String href, long fileBytes, long capacityBytes, long populatedBytes) {
        DiskFile {
            requireNonNull(href, "href is null");
        }
    }

    private OvfWriter() {
    }

    static String descriptor(VirtualMachine vm, List<DiskFile> files) {
        if (files.size() != vm.disks().size()) {
            throw new IllegalArgumentException("one file per disk");
        }
        StringBuilder xml = new StringBuilder();
        xml.append("""
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope vmw:buildId="build-22617221" xmlns="http://schemas.dmtf.org/ovf/envelope/1" \
                xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" \
                xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" \
                xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" \
                xmlns:vmw="http://www.vmware.com/schema/ovf" \
                xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" \
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <References>
                """);
        for (int i = 0; i < files.size(); i++) {
            xml.append("    <File ovf:href=\"").append(escape(files.get(i).href())).append("\" ovf:id=\"file")
                    .append(i + 1).append("\" ovf:size=\"").append(files.get(i).fileBytes()).append("\"/>\n");
        }
        xml.append("""
                  </References>
                  <DiskSection>
                    <Info>Virtual disk information</Info>
                """);
        for (int i = 0; i < files.size(); i++) {
            DiskFile file = files.get(i);
            boolean wholeGiB = file.capacityBytes() % (1L << 30) == 0;
            xml.append("    <Disk ovf:capacity=\"")
                    .append(wholeGiB ? file.capacityBytes() >> 30 : file.capacityBytes())
                    .append("\" ovf:capacityAllocationUnits=\"").append(wholeGiB ? "byte * 2^30" : "byte")
                    .append("\" ovf:diskId=\"vmdisk").append(i + 1).append("\" ovf:fileRef=\"file").append(i + 1)
                    .append("\" ovf:format=\"").append(STREAM_OPTIMIZED).append("\" ovf:populatedSize=\"")
                    .append(file.populatedBytes()).append("\"/>\n");
        }
        xml.append("""
                  </DiskSection>
                  <NetworkSection>
                    <Info>The list of logical networks</Info>
                """);
        vm.nics().stream().map(VirtualMachine.Nic::networkName).distinct().forEach(network -> xml
                .append("    <Network ovf:name=\"").append(escape(network)).append("\">\n")
                .append("      <Description>The ").append(escape(network)).append(" network</Description>\n")
                .append("    </Network>\n"));
        GuestOs guest = vm.guestOs();
        String name = escape(vm.name());
        xml.append("  </NetworkSection>\n")
                .append("  <VirtualSystem ovf:id=\"").append(name).append("\">\n")
                .append("    <Info>A virtual machine</Info>\n")
                .append("    <Name>").append(name).append("</Name>\n")
                .append("    <OperatingSystemSection ovf:id=\"").append(guest.cimId()).append("\" vmw:osType=\"")
                .append(guest.vmxOsType()).append("\">\n")
                .append("      <Info>The kind of installed guest operating system</Info>\n")
                .append("      <Description>").append(escape(guest.description())).append("</Description>\n")
                .append("    </OperatingSystemSection>\n")
                .append("    <VirtualHardwareSection>\n")
                .append("      <Info>Virtual hardware requirements</Info>\n")
                .append("      <System>\n")
                .append("        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\n")
                .append("        <vssd:InstanceID>0</vssd:InstanceID>\n")
                .append("        <vssd:VirtualSystemIdentifier>").append(name).append("</vssd:VirtualSystemIdentifier>\n")
                .append("        <vssd:VirtualSystemType>").append(systemType(vm.hardwareVersion()))
                .append("</vssd:VirtualSystemType>\n")
                .append("      </System>\n");
        int id = 1;
        xml.append("      <Item>\n")
                .append("        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\n")
                .append("        <rasd:Description>Number of Virtual CPUs</rasd:Description>\n")
                .append("        <rasd:ElementName>").append(vm.cpuCount()).append(" virtual CPU(s)</rasd:ElementName>\n")
                .append("        <rasd:InstanceID>").append(id++).append("</rasd:InstanceID>\n")
                .append("        <rasd:ResourceType>3</rasd:ResourceType>\n")
                .append("        <rasd:VirtualQuantity>").append(vm.cpuCount()).append("</rasd:VirtualQuantity>\n")
                .append("        <vmw:CoresPerSocket ovf:required=\"false\">").append(vm.coresPerSocket())
                .append("</vmw:CoresPerSocket>\n")
                .append("      </Item>\n");
        xml.append("      <Item>\n")
                .append("        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n")
                .append("        <rasd:Description>Memory Size</rasd:Description>\n")
                .append("        <rasd:ElementName>").append(vm.memoryMib()).append("MB of memory</rasd:ElementName>\n")
                .append("        <rasd:InstanceID>").append(id++).append("</rasd:InstanceID>\n")
                .append("        <rasd:ResourceType>4</rasd:ResourceType>\n")
                .append("        <rasd:VirtualQuantity>").append(vm.memoryMib()).append("</rasd:VirtualQuantity>\n")
                .append("      </Item>\n");
        int controller = id++;
        xml.append("      <Item>\n")
                .append("        <rasd:Address>0</rasd:Address>\n")
                .append("        <rasd:Description>SCSI Controller</rasd:Description>\n")
                .append("        <rasd:ElementName>SCSI controller 0</rasd:ElementName>\n")
                .append("        <rasd:InstanceID>").append(controller).append("</rasd:InstanceID>\n")
                .append("        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>\n")
                .append("        <rasd:ResourceType>6</rasd:ResourceType>\n")
                .append("      </Item>\n");
        for (int i = 0; i < vm.disks().size(); i++) {
            xml.append("      <Item>\n")
                    .append("        <rasd:AddressOnParent>").append(i < 7 ? i : i + 1).append("</rasd:AddressOnParent>\n")
                    .append("        <rasd:ElementName>").append(escape(vm.disks().get(i).label()))
                    .append("</rasd:ElementName>\n")
                    .append("        <rasd:HostResource>ovf:/disk/vmdisk").append(i + 1).append("</rasd:HostResource>\n")
                    .append("        <rasd:InstanceID>").append(id++).append("</rasd:InstanceID>\n")
                    .append("        <rasd:Parent>").append(controller).append("</rasd:Parent>\n")
                    .append("        <rasd:ResourceType>17</rasd:ResourceType>\n")
                    .append("      </Item>\n");
        }
        for (int i = 0; i < vm.nics().size(); i++) {
            VirtualMachine.Nic nic = vm.nics().get(i);
            String subType = adapterSubType(nic.type());
            xml.append("      <Item>\n")
                    .append("        <rasd:AddressOnParent>").append(7 + i).append("</rasd:AddressOnParent>\n")
                    .append("        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>\n")
                    .append("        <rasd:Connection>").append(escape(nic.networkName())).append("</rasd:Connection>\n")
                    .append("        <rasd:Description>").append(subType).append(" ethernet adapter on &quot;")
                    .append(escape(nic.networkName())).append("&quot;</rasd:Description>\n")
                    .append("        <rasd:ElementName>").append(escape(nic.label())).append("</rasd:ElementName>\n")
                    .append("        <rasd:InstanceID>").append(id++).append("</rasd:InstanceID>\n")
                    .append("        <rasd:ResourceSubType>").append(subType).append("</rasd:ResourceSubType>\n")
                    .append("        <rasd:ResourceType>10</rasd:ResourceType>\n")
                    .append("      </Item>\n");
        }
        xml.append("      <vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"")
                .append(vm.bootType().toLowerCase(Locale.ROOT)).append("\"/>\n")
                .append("    </VirtualHardwareSection>\n")
                .append("  </VirtualSystem>\n")
                .append("</Envelope>\n");
        return xml.toString();
    }

    /** {@code VMX_19} → {@code vmx-19}. */
    static String systemType(String hardwareVersion) {
        return hardwareVersion.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String adapterSubType(String type) {
        return switch (type) {
            case "VMXNET3" -> "VmxNet3";
            case "VMXNET2" -> "VmxNet2";
            case "VMXNET" -> "VmxNet";
            case "E1000" -> "E1000";
            case "E1000E" -> "E1000e";
            case "PCNET32" -> "PCNet32";
            default -> throw new IllegalArgumentException("unknown adapter type " + type);
        };
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
